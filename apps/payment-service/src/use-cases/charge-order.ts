import { v7 as uuidv7 } from 'uuid';
import { type EventOf, type OrderPlacedV1 } from '@shopflow/events';
import { loadOrderPaymentState, lockOrder, startPayment } from '../data-access/payments.repository';
import { onOrderPlaced } from '../domain/payment-rules';
import { type PaymentDependencies } from './dependencies';
import { settlePayment, type PaymentProgress, type PaymentToSettle } from './settle-payment';

/**
 * Charges a placed order once, in three steps, none of which holds a transaction across the call:
 * a short transaction records the event (inbox) and the payment as `pending`; the processor is asked,
 * with the payment's idempotency key; a short transaction records its answer and the event that
 * tells it (settlePayment). A crash or a redelivery anywhere in between finds the payment pending
 * and asks again with the same key, which the processor answers with its first answer: never a
 * second charge, never a lost one.
 */
export async function chargeOrder(
  deps: PaymentDependencies,
  event: EventOf<typeof OrderPlacedV1>,
): Promise<PaymentProgress<'charge' | 'skip'>> {
  const { orderId, total } = event.payload;
  const started: PaymentToSettle = {
    id: uuidv7(),
    orderId,
    status: 'pending',
    amount: total.amount,
    currency: total.currency,
    gatewayReference: null,
  };
  const handled = await deps.transactions.handleOnce(event, async (tx) => {
    lockOrder(tx, orderId);
    const decision = onOrderPlaced(await loadOrderPaymentState(tx, orderId));
    if (decision === 'charge') startPayment(tx, started);
    return { result: decision, events: [] };
  });
  // A duplicate too: it may be the redelivery of an event whose handling stopped after the first
  // step. Only the payment this delivery started is known as it stands; any other is read afresh.
  const known = handled.outcome === 'handled' && handled.result === 'charge' ? started : undefined;
  const source = event.payload.paymentToken;
  const payment = await settlePayment(deps, orderId, { cause: event, source, payment: known });
  return { handled, payment };
}
