import {
  createEvent,
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentSucceededV1,
  type Envelope,
  type EventOrigin,
} from '@shopflow/events';
import { SERVICE_NAME } from '../config';
import {
  findPayment,
  loadOrderPaymentState,
  lockOrder,
  markRefunded,
  recordChargeAnswer,
  type PaymentRecord,
} from '../data-access/payments.repository';
import { type PaymentStatus } from '../domain/payment-rules';
import { chargeKey, onChargeAnswered, refundKey } from '../domain/payment-rules';
import { type ChargeAnswer } from '../gateway/payment-gateway.client';
import { type HandledOnce } from '@shopflow/messaging';
import { type PaymentDependencies } from './dependencies';

/**
 * What one delivery of an order event did: its recorded step (or that the event was handled
 * before), then where the order's payment stands once the processor's answers are recorded.
 */
export interface PaymentProgress<Decision> {
  handled: HandledOnce<Decision>;
  payment: PaymentStatus | 'none';
}

/** What settling a payment reads of it. */
export type PaymentToSettle = Pick<
  PaymentRecord,
  'id' | 'orderId' | 'status' | 'amount' | 'currency' | 'gatewayReference'
>;

interface Settling {
  /** The event being handled: the events emitted here continue its trace of the saga. */
  cause: Envelope;
  /** The payment token, to ask for a pending charge; without it (order.cancelled) a pending charge is left to order.placed's handler. */
  source?: string;
  /** The payment as the caller's transaction just committed it, if it knows: else it is read afresh. */
  payment?: PaymentToSettle;
}

/**
 * Takes the steps the order's recorded payment still needs from the processor: a pending charge is
 * asked for (with its idempotency key) and its answer recorded; a pending refund likewise. Each call
 * is made outside any transaction; each answer is recorded in a short one, under the order's lock,
 * only if the payment is still in the state the call was made from (a concurrent delivery of the
 * same event may have recorded it first: then nothing more is emitted).
 */
export async function settlePayment(
  deps: PaymentDependencies,
  orderId: string,
  settling: Settling,
): Promise<PaymentStatus | 'none'> {
  let payment: PaymentToSettle | undefined = settling.payment ?? (await findPayment(deps.db, orderId));
  if (payment?.status === 'pending' && settling.source !== undefined) {
    const answer = await deps.gateway.charge({
      idempotencyKey: chargeKey(payment.id),
      amount: payment.amount,
      currency: payment.currency,
      source: settling.source,
      orderId,
    });
    payment = await recordCharge(deps, payment, answer, settling.cause);
  }
  if (payment?.status === 'refund_pending' && payment.gatewayReference) {
    const { refundId } = await deps.gateway.refund({
      idempotencyKey: refundKey(payment.id),
      chargeId: payment.gatewayReference,
    });
    return recordRefund(deps, payment, refundId, settling.cause);
  }
  return payment?.status ?? 'none';
}

/** Records the charge's answer and its event; returns the payment as it now is. */
async function recordCharge(
  deps: PaymentDependencies,
  payment: PaymentToSettle,
  answer: ChargeAnswer,
  cause: Envelope,
): Promise<PaymentToSettle | undefined> {
  const { orderId, id: paymentId, amount, currency } = payment;
  const origin: EventOrigin = { source: SERVICE_NAME, causedBy: cause };
  return deps.transactions.run<PaymentToSettle | undefined>(async (tx) => {
    lockOrder(tx, orderId);
    const state = await loadOrderPaymentState(tx, orderId);
    const next = onChargeAnswered(state, answer.outcome === 'succeeded');
    if (next === undefined) return { result: state.payment, events: [] };
    if (answer.outcome === 'declined') {
      await recordChargeAnswer(tx, orderId, { status: 'failed', failureReason: answer.reason });
      const failed = createEvent(
        PaymentFailedV1,
        { orderId, reason: answer.reason, amount: { amount, currency } },
        origin,
      );
      return { result: { ...payment, status: 'failed' as const }, events: [failed] };
    }
    const status = next as 'succeeded' | 'refund_pending';
    await recordChargeAnswer(tx, orderId, { status, gatewayReference: answer.chargeId });
    const succeeded = createEvent(PaymentSucceededV1, { orderId, paymentId, amount: { amount, currency } }, origin);
    return { result: { ...payment, status, gatewayReference: answer.chargeId }, events: [succeeded] };
  });
}

async function recordRefund(
  deps: PaymentDependencies,
  payment: PaymentToSettle,
  refundId: string | null,
  cause: Envelope,
): Promise<PaymentStatus | 'none'> {
  const { orderId, id: paymentId, amount, currency } = payment;
  return deps.transactions.run(async (tx) => {
    lockOrder(tx, orderId);
    const state = await loadOrderPaymentState(tx, orderId);
    if (state.payment?.status !== 'refund_pending') return { result: state.payment?.status ?? 'none', events: [] };
    await markRefunded(tx, orderId, refundId);
    const refunded = createEvent(
      PaymentRefundedV1,
      { orderId, paymentId, amount: { amount, currency } },
      { source: SERVICE_NAME, causedBy: cause },
    );
    return { result: 'refunded', events: [refunded] };
  });
}
