import {
  InventoryProductUpdatedV1,
  InventoryReleasedV1,
  InventoryReservationFailedV1,
  InventoryReservedV1,
  NotificationSentV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentSucceededV1,
} from '@shopflow/events';
import { on, type HandlerRegistration } from '@shopflow/messaging';
import { type SagaMetrics } from '../metrics/saga-metrics';
import { type OrderTransactions } from '../use-cases/order-transactions';
import { catalogHandler } from './catalog.handler';
import { paymentHandler } from './payment.handler';
import { reservationHandler } from './reservation.handler';
import { timelineHandler } from './timeline.handler';

export interface OrderHandlerDeps {
  transactions: OrderTransactions;
  sagas: SagaMetrics;
}

/** Everything the `order-service.events` queue receives. */
export function orderHandlers({ transactions, sagas }: OrderHandlerDeps): HandlerRegistration[] {
  return [
    on(InventoryProductUpdatedV1, catalogHandler(transactions)),
    on(InventoryReservedV1, reservationHandler(transactions, sagas)),
    on(InventoryReservationFailedV1, reservationHandler(transactions, sagas)),
    on(PaymentSucceededV1, paymentHandler(transactions, sagas)),
    on(PaymentFailedV1, paymentHandler(transactions, sagas)),
    on(InventoryReleasedV1, timelineHandler(transactions)),
    on(PaymentRefundedV1, timelineHandler(transactions)),
    on(NotificationSentV1, timelineHandler(transactions)),
  ];
}
