import { type HandlerContext } from '@shopflow/messaging';
import { type OrderTransactions } from '../use-cases/order-transactions';
import { recordReservation, type ReservationEvent } from '../use-cases/record-reservation';

export const reservationHandler =
  (transactions: OrderTransactions) =>
  async (event: ReservationEvent, { logger }: HandlerContext): Promise<void> => {
    const outcome = await recordReservation(transactions, event);
    logger.debug({ orderId: event.payload.orderId, outcome }, 'reservation outcome recorded');
  };
