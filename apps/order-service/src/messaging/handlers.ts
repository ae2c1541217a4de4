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
import { type OrderTransactions } from '../use-cases/order-transactions';
import { catalogHandler } from './catalog.handler';
import { paymentHandler } from './payment.handler';
import { reservationHandler } from './reservation.handler';
import { timelineHandler } from './timeline.handler';

export interface OrderHandlerDeps {
  transactions: OrderTransactions;
}

/** Everything the `order-service.events` queue receives. */
export function orderHandlers({ transactions }: OrderHandlerDeps): HandlerRegistration[] {
  return [
    on(InventoryProductUpdatedV1, catalogHandler(transactions)),
    on(InventoryReservedV1, reservationHandler(transactions)),
    on(InventoryReservationFailedV1, reservationHandler(transactions)),
    on(PaymentSucceededV1, paymentHandler(transactions)),
    on(PaymentFailedV1, paymentHandler(transactions)),
    on(InventoryReleasedV1, timelineHandler(transactions)),
    on(PaymentRefundedV1, timelineHandler(transactions)),
    on(NotificationSentV1, timelineHandler(transactions)),
  ];
}
