import { createEvent, OrderCancelledV1, OrderConfirmedV1, type Envelope, type EventOrigin } from '@shopflow/events';
import { type Transaction } from '@shopflow/postgres';
import { SERVICE_NAME } from '../config';
import { saveSagaStep } from '../data-access/orders.repository';
import { type FinishedSaga } from '../domain/finished-saga';
import { type SagaOrder } from '../domain/order';
import { applyFact, type Outcome, type SagaFact } from '../domain/order-state';
import { type TimelineEntry } from '../domain/timeline';

/** Where an emitted event comes from: the event being handled, or the request that placed the order. */
type Cause = Pick<EventOrigin, 'causedBy' | 'correlationId'>;

/** What applying a fact did: the events to emit, and the finished saga if this fact decided it. */
export interface SagaStep {
  events: Envelope[];
  finished?: FinishedSaga;
}

/**
 * Applies a fact to an order the caller has locked: saves the new state, adds `entries` and the
 * outcome to the timeline, and returns the outcome event to emit (none while the saga is undecided).
 */
export async function applySagaFact(
  tx: Transaction,
  order: SagaOrder,
  fact: SagaFact,
  cause: Cause,
  entries: readonly TimelineEntry[],
): Promise<SagaStep> {
  const { state, outcome } = applyFact(order.state, fact);
  const announcement = announce(order, outcome, { source: SERVICE_NAME, ...cause });
  saveSagaStep(tx, order.id, {
    // A fact that changes nothing (a report from a participant already settled) leaves the order row alone.
    state: state === order.state ? undefined : state,
    entries: announcement ? [...entries, announcement.entry] : entries,
  });
  if (!announcement || outcome.kind === 'none') return { events: [] };
  const finished = { outcome: outcome.kind, placedAt: order.placedAt, finishedAt: announcement.entry.at };
  return { events: [announcement.event], finished };
}

function announce(
  order: SagaOrder,
  outcome: Outcome,
  origin: EventOrigin,
): { event: Envelope; entry: TimelineEntry } | undefined {
  const ref = { orderId: order.id, customerId: order.customerId, email: order.email };
  switch (outcome.kind) {
    case 'confirmed': {
      const event = createEvent(OrderConfirmedV1, { ...ref, total: order.total }, origin);
      return { event, entry: { step: 'confirmed', at: new Date(event.occurredAt), detail: null } };
    }
    case 'cancelled': {
      const event = createEvent(OrderCancelledV1, { ...ref, reason: outcome.reason }, origin);
      return { event, entry: { step: 'cancelled', at: new Date(event.occurredAt), detail: outcome.reason } };
    }
    case 'none':
      return undefined;
  }
}
