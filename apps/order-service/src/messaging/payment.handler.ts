import { type HandlerContext } from '@shopflow/messaging';
import { type SagaMetrics } from '../metrics/saga-metrics';
import { type OrderTransactions } from '../use-cases/order-transactions';
import { recordPayment, type PaymentEvent } from '../use-cases/record-payment';

export const paymentHandler =
  (transactions: OrderTransactions, sagas: SagaMetrics) =>
  async (event: PaymentEvent, { logger }: HandlerContext): Promise<void> => {
    const { outcome, finished } = await recordPayment(transactions, event);
    sagas.finished(finished);
    logger.debug({ orderId: event.payload.orderId, outcome }, 'payment outcome recorded');
  };
