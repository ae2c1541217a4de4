/**
 * A payment's life. `pending`: the charge is recorded as started and the processor's answer is not
 * recorded yet; `refund_pending`: likewise for the refund. The processor is called between two
 * transactions, so these states are what a crash or a redelivery finds and carries on from.
 */
export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refund_pending' | 'refunded';

/** What payment-service knows about one order when an event about it arrives. */
export interface OrderPaymentState {
  cancelled: boolean;
  payment?: { status: PaymentStatus };
}

/**
 * order.placed: start a charge once, and never for an order whose cancellation arrived first
 * (events may arrive in any order).
 */
export function onOrderPlaced(state: OrderPaymentState): 'charge' | 'skip' {
  return state.cancelled || state.payment ? 'skip' : 'charge';
}

/**
 * order.cancelled: refund a charge that went through; otherwise remember the cancellation, so that
 * a later order.placed is never charged and a charge still waiting for its answer is refunded as
 * soon as it is recorded (see onChargeAnswered).
 */
export function onOrderCancelled(state: OrderPaymentState): 'refund' | 'remember' | 'nothing' {
  if (state.cancelled) return 'nothing';
  return state.payment?.status === 'succeeded' ? 'refund' : 'remember';
}

/**
 * The processor's answer to a pending charge: the payment's next status, or `undefined` when the
 * charge is no longer pending (another delivery of the same event recorded the answer first).
 */
export function onChargeAnswered(
  state: OrderPaymentState,
  approved: boolean,
): 'succeeded' | 'failed' | 'refund_pending' | undefined {
  if (state.payment?.status !== 'pending') return undefined;
  if (!approved) return 'failed';
  // The order was cancelled while the processor was charging it: the money goes back.
  return state.cancelled ? 'refund_pending' : 'succeeded';
}

/** The processor's idempotency keys: one per payment and operation, the same on every attempt. */
export const chargeKey = (paymentId: string) => `charge-${paymentId}`;
export const refundKey = (paymentId: string) => `refund-${paymentId}`;
