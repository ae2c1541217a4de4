export type PaymentStatus = 'succeeded' | 'failed' | 'refunded';

/** What payment-service knows about one order when an event about it arrives. */
export interface OrderPaymentState {
  cancelled: boolean;
  payment?: { status: PaymentStatus };
}

/**
 * order.placed: charge once, and never for an order whose cancellation arrived first
 * (events may arrive in any order).
 */
export function onOrderPlaced(state: OrderPaymentState): 'charge' | 'skip' {
  return state.cancelled || state.payment ? 'skip' : 'charge';
}

/**
 * order.cancelled: refund a charge that went through; otherwise remember the cancellation
 * so that a later order.placed is never charged.
 */
export function onOrderCancelled(state: OrderPaymentState): 'refund' | 'remember' | 'nothing' {
  if (state.cancelled) return 'nothing';
  return state.payment?.status === 'succeeded' ? 'refund' : 'remember';
}
