import { type EventOf, type OrderCancelledV1 } from '@shopflow/events';
import {
  loadOrderPaymentState,
  lockOrder,
  rememberCancellation,
  startRefund,
} from '../data-access/payments.repository';
import { onOrderCancelled } from '../domain/payment-rules';
import { type PaymentDependencies } from './dependencies';
import { settlePayment, type PaymentProgress } from './settle-payment';

/**
 * Compensation: refunds what was charged for a cancelled order, and remembers the cancellation
 * either way. Like the charge, in three steps: record the event, the cancellation and the refund as
 * `refund_pending`; ask the processor with the refund's idempotency key; record the answer. A charge
 * still waiting for the processor is refunded when its answer is recorded (onChargeAnswered).
 */
export async function refundOrder(
  deps: PaymentDependencies,
  event: EventOf<typeof OrderCancelledV1>,
): Promise<PaymentProgress<'refund' | 'remember' | 'nothing'>> {
  const { orderId, reason } = event.payload;
  const handled = await deps.transactions.handleOnce(event, async (tx) => {
    lockOrder(tx, orderId);
    const decision = onOrderCancelled(await loadOrderPaymentState(tx, orderId));
    if (decision !== 'nothing') rememberCancellation(tx, orderId, reason);
    if (decision === 'refund') await startRefund(tx, orderId);
    return { result: decision, events: [] };
  });
  const payment = await settlePayment(deps, orderId, { cause: event });
  return { handled, payment };
}
