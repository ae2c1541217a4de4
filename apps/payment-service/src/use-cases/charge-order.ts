import { randomUUIDv7 } from 'node:crypto';
import { createEvent, PaymentFailedV1, PaymentSucceededV1, type EventOf, type OrderPlacedV1 } from '@shopflow/events';
import { type InboxOutcome } from '@shopflow/messaging';
import { SERVICE_NAME } from '../config';
import { loadOrderPaymentState, lockOrder, savePayment } from '../data-access/payments.repository';
import { onOrderPlaced } from '../domain/payment-rules';
import { type PaymentDependencies } from './dependencies';

/**
 * Charges a placed order once. The gateway is called inside the transaction that records the
 * payment; a real provider would also get the order id as idempotency key, so a retry after a
 * crash between its answer and our commit could not charge twice.
 */
export function chargeOrder(deps: PaymentDependencies, event: EventOf<typeof OrderPlacedV1>): Promise<InboxOutcome> {
  return deps.transactions.handleOnce(event, async (tx) => {
    const { orderId, total, paymentToken } = event.payload;
    lockOrder(tx, orderId);
    if (onOrderPlaced(await loadOrderPaymentState(tx, orderId)) === 'skip') return [];

    const result = await deps.gateway.charge(paymentToken, total.amount, total.currency);
    const payment = { id: randomUUIDv7(), orderId, amount: total.amount, currency: total.currency };
    const origin = { source: SERVICE_NAME, causedBy: event };
    if (result.verdict === 'approved') {
      savePayment(tx, {
        ...payment,
        status: 'succeeded',
        failureReason: null,
        gatewayReference: result.reference,
      });
      return [createEvent(PaymentSucceededV1, { orderId, paymentId: payment.id, amount: total }, origin)];
    }
    savePayment(tx, { ...payment, status: 'failed', failureReason: result.verdict });
    return [createEvent(PaymentFailedV1, { orderId, reason: result.verdict, amount: total }, origin)];
  });
}
