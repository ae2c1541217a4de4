import { AppError } from '@shopflow/errors';
import { type Envelope } from '@shopflow/events';
import { type InboxOutcome } from '@shopflow/messaging';
import { lockOrder } from '../data-access/orders.repository';
import { type FinishedSaga } from '../domain/finished-saga';
import { type SagaFact } from '../domain/order-state';
import { reportEntry } from '../domain/timeline';
import { applySagaFact, type SagaStep } from './apply-saga-fact';
import { type OrderTransactions } from './order-transactions';

export type ParticipantFact = Exclude<SagaFact, { kind: 'deadline-passed' }>;

export interface ReportOutcome {
  outcome: InboxOutcome;
  /** The saga this report finished, once committed; none for a duplicate or an undecided saga. */
  finished?: FinishedSaga;
}

/** Inventory's or payment's report on an order, applied once, under the order's row lock. */
export async function recordParticipantReport(
  transactions: OrderTransactions,
  event: Envelope & { payload: { orderId: string } },
  fact: ParticipantFact,
): Promise<ReportOutcome> {
  let step: SagaStep = { events: [] };
  const outcome = await transactions.handleOnce(event, async (tx) => {
    const order = await lockOrder(tx, event.payload.orderId);
    // not_found is retried with backoff, then dead-lettered: an order we never stored needs a human look.
    if (!order) throw new AppError('not_found', `order ${event.payload.orderId} does not exist (yet)`);
    step = await applySagaFact(tx, order, fact, { causedBy: event }, [reportEntry(fact, new Date(event.occurredAt))]);
    return step.events;
  });
  return { outcome, finished: outcome === 'handled' ? step.finished : undefined };
}
