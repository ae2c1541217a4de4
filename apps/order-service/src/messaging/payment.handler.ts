import { type HandlerContext } from '@shopflow/messaging';
import { type OrderTransactions } from '../use-cases/order-transactions';
import { recordPayment, type PaymentEvent } from '../use-cases/record-payment';

export const paymentHandler =
  (transactions: OrderTransactions) =>
  async (event: PaymentEvent, { logger }: HandlerContext): Promise<void> => {
    const outcome = await recordPayment(transactions, event);
    logger.debug({ orderId: event.payload.orderId, outcome }, 'payment outcome recorded');
  };
