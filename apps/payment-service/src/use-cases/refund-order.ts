import { createEvent, PaymentRefundedV1, type EventOf, type OrderCancelledV1 } from '@shopflow/events';
import { type InboxOutcome } from '@shopflow/messaging';
import { SERVICE_NAME } from '../config';
import {
  loadOrderPaymentState,
  lockOrder,
  markRefunded,
  rememberCancellation,
} from '../data-access/payments.repository';
import { onOrderCancelled } from '../domain/payment-rules';
import { type PaymentDependencies } from './dependencies';

/** Compensation: refunds what was charged for a cancelled order, and remembers the cancellation either way. */
export function refundOrder(deps: PaymentDependencies, event: EventOf<typeof OrderCancelledV1>): Promise<InboxOutcome> {
  return deps.transactions.handleOnce(event, async (tx) => {
    const { orderId, reason } = event.payload;
    lockOrder(tx, orderId);
    const state = await loadOrderPaymentState(tx, orderId);
    const decision = onOrderCancelled(state);
    if (decision === 'nothing') return [];
    rememberCancellation(tx, orderId, reason);
    if (decision !== 'refund' || !state.payment?.gatewayReference) return [];

    await deps.gateway.refund(state.payment.gatewayReference);
    await markRefunded(tx, orderId);
    const { id: paymentId, amount, currency } = state.payment;
    return [
      createEvent(
        PaymentRefundedV1,
        { orderId, paymentId, amount: { amount, currency } },
        { source: SERVICE_NAME, causedBy: event },
      ),
    ];
  });
}
