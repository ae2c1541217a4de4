import {
  createEvent,
  OrderCancelledV1,
  OrderConfirmedV1,
  type CancellationReason,
  type Envelope,
  type EventOf,
  type EventOrigin,
  type InventoryReservationFailedV1,
  type InventoryReservedV1,
  type PaymentFailedV1,
  type PaymentSucceededV1,
} from '@shopflow/events';
import { type FinishedSaga } from './finished-saga';
import { type SagaOrder } from './order';
import { reportEntry, type TimelineEntry } from './timeline';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';
export type InventoryStatus = 'pending' | 'reserved' | 'failed';
export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

/** Where an order's saga stands. `status` is final once CONFIRMED or CANCELLED. */
export interface OrderState {
  status: OrderStatus;
  inventory: InventoryStatus;
  payment: PaymentStatus;
  reason: CancellationReason | null;
}

/** What the other services (or the clock) report about an order. */
export type SagaFact =
  | { kind: 'inventory-reserved' }
  | { kind: 'inventory-reservation-failed'; reason: 'out_of_stock' | 'unknown_item' }
  | { kind: 'payment-succeeded' }
  | { kind: 'payment-failed'; reason: 'declined' | 'insufficient_funds' }
  | { kind: 'deadline-passed' };

/** What order-service must announce after a fact: nothing, or the order's final outcome. */
export type Outcome = { kind: 'none' } | { kind: 'confirmed' } | { kind: 'cancelled'; reason: CancellationReason };

export interface Transition {
  state: OrderState;
  outcome: Outcome;
}

export const newOrderState = (): OrderState => ({
  status: 'PENDING',
  inventory: 'pending',
  payment: 'pending',
  reason: null,
});

export const isFinal = (state: Pick<OrderState, 'status'>): boolean => state.status !== 'PENDING';

const PAYMENT_REASONS = {
  declined: 'payment_declined',
  insufficient_funds: 'insufficient_funds',
} as const satisfies Record<string, CancellationReason>;

/**
 * Applies one fact, whatever the arrival order. A participant's outcome is settled by its first
 * report; the order is confirmed once both succeeded and cancelled as soon as either failed or the
 * deadline passed. Facts arriving after the order is final are kept on the participant but change
 * nothing else: the participants undo their own work when they see order.cancelled.
 */
export function applyFact(state: OrderState, fact: SagaFact): Transition {
  const next = recordParticipant(state, fact);
  const nothing = { state: next, outcome: { kind: 'none' } } as const;
  if (isFinal(state) || (next === state && fact.kind !== 'deadline-passed')) return nothing;
  const reason = cancellationReason(fact);
  if (reason) return { state: { ...next, status: 'CANCELLED', reason }, outcome: { kind: 'cancelled', reason } };
  if (next.inventory === 'reserved' && next.payment === 'succeeded') {
    return { state: { ...next, status: 'CONFIRMED' }, outcome: { kind: 'confirmed' } };
  }
  return nothing;
}

/** The participant's outcome, or the same state object when it was already settled. */
function recordParticipant(state: OrderState, fact: SagaFact): OrderState {
  switch (fact.kind) {
    case 'inventory-reserved':
    case 'inventory-reservation-failed':
      if (state.inventory !== 'pending') return state;
      return { ...state, inventory: fact.kind === 'inventory-reserved' ? 'reserved' : 'failed' };
    case 'payment-succeeded':
    case 'payment-failed':
      if (state.payment !== 'pending') return state;
      return { ...state, payment: fact.kind === 'payment-succeeded' ? 'succeeded' : 'failed' };
    case 'deadline-passed':
      return state;
  }
}

function cancellationReason(fact: SagaFact): CancellationReason | undefined {
  switch (fact.kind) {
    case 'inventory-reservation-failed':
      return fact.reason;
    case 'payment-failed':
      return PAYMENT_REASONS[fact.reason];
    case 'deadline-passed':
      return 'timeout';
    default:
      return undefined;
  }
}

/** A participant's report on an order: inventory's reservation, payment's charge. */
export type SagaReport =
  | EventOf<typeof InventoryReservedV1>
  | EventOf<typeof InventoryReservationFailedV1>
  | EventOf<typeof PaymentSucceededV1>
  | EventOf<typeof PaymentFailedV1>;

/** The fact a participant's report states. */
export function factOf(report: SagaReport): Exclude<SagaFact, { kind: 'deadline-passed' }> {
  switch (report.type) {
    case 'inventory.reserved':
      return { kind: 'inventory-reserved' };
    case 'inventory.reservation-failed':
      return { kind: 'inventory-reservation-failed', reason: report.payload.reason };
    case 'payment.succeeded':
      return { kind: 'payment-succeeded' };
    case 'payment.failed':
      return { kind: 'payment-failed', reason: report.payload.reason };
  }
}

/** What a fact does to an order: what to save, the events to emit, and the saga it finished (if it did). */
export interface SagaStep {
  /** The new state; undefined when the fact changes nothing (a report from a participant already settled). */
  state?: OrderState;
  /** For the order's timeline: the report's own entry (if it is one) and the outcome's. */
  entries: TimelineEntry[];
  events: Envelope[];
  finished?: FinishedSaga;
}

/**
 * Applies a fact to an order (applyFact) and says what follows: the state to save, the timeline
 * entries, and the outcome event (order.confirmed or order.cancelled) once the saga is decided.
 * `origin` ties the event to its cause: the report being handled, or the order's own flow.
 */
export function advanceSaga(order: SagaOrder, fact: SagaFact, origin: EventOrigin, reportedAt: Date): SagaStep {
  const { state, outcome } = applyFact(order.state, fact);
  const entries = fact.kind === 'deadline-passed' ? [] : [reportEntry(fact, reportedAt)];
  const changed = state === order.state ? undefined : state;
  if (outcome.kind === 'none') return { state: changed, entries, events: [] };
  const event = announce(order, outcome, origin);
  const at = new Date(event.occurredAt);
  const entry: TimelineEntry =
    outcome.kind === 'confirmed'
      ? { step: 'confirmed', at, detail: null }
      : { step: 'cancelled', at, detail: outcome.reason };
  return {
    state: changed,
    entries: [...entries, entry],
    events: [event],
    finished: { outcome: outcome.kind, placedAt: order.placedAt, finishedAt: at },
  };
}

function announce(order: SagaOrder, outcome: Exclude<Outcome, { kind: 'none' }>, origin: EventOrigin): Envelope {
  const ref = { orderId: order.id, customerId: order.customerId, email: order.email };
  return outcome.kind === 'confirmed'
    ? createEvent(OrderConfirmedV1, { ...ref, total: order.total }, origin)
    : createEvent(OrderCancelledV1, { ...ref, reason: outcome.reason }, origin);
}
