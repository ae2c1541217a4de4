import { AppError } from '@shopflow/errors';
import { type Envelope } from '@shopflow/events';
import { lockOrder } from '../data-access/orders.repository';
import { type Tx } from '../data-access/prisma-client';
import { type SagaFact } from '../domain/order-state';
import { reportEntry } from '../domain/timeline';
import { applySagaFact } from './apply-saga-fact';

export type ParticipantFact = Exclude<SagaFact, { kind: 'deadline-passed' }>;

/** Inventory's or payment's report on an order, applied under the order's row lock. */
export async function recordParticipantReport(
  tx: Tx,
  event: Envelope & { payload: { orderId: string } },
  fact: ParticipantFact,
): Promise<Envelope[]> {
  const order = await lockOrder(tx, event.payload.orderId);
  // not_found is retried with backoff, then dead-lettered: an order we never stored needs a human look.
  if (!order) throw new AppError('not_found', `order ${event.payload.orderId} does not exist (yet)`);
  return applySagaFact(tx, order, fact, { causedBy: event }, [reportEntry(fact, new Date(event.occurredAt))]);
}
