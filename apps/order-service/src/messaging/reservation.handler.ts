import { type HandlerContext } from '@shopflow/messaging';
import { type SagaMetrics } from '../metrics/saga-metrics';
import { type OrderTransactions } from '../use-cases/order-transactions';
import { recordReservation, type ReservationEvent } from '../use-cases/record-reservation';

export const reservationHandler =
  (transactions: OrderTransactions, sagas: SagaMetrics) =>
  async (event: ReservationEvent, { logger }: HandlerContext): Promise<void> => {
    const { outcome, finished } = await recordReservation(transactions, event);
    sagas.finished(finished);
    logger.debug({ orderId: event.payload.orderId, outcome }, 'reservation outcome recorded');
  };
