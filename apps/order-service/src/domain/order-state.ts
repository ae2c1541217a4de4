import { type CancellationReason } from '@shopflow/events';

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
