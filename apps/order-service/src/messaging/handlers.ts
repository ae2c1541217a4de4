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
import { type OrderDependencies } from '../use-cases/dependencies';
import { catalogHandler } from './catalog.handler';
import { sagaReportHandler } from './saga-report.handler';
import { timelineHandler } from './timeline.handler';

/** Everything the `order-service.events` queue receives. */
export function orderHandlers(deps: OrderDependencies): HandlerRegistration[] {
  return [
    on(InventoryProductUpdatedV1, catalogHandler(deps)),
    on(InventoryReservedV1, sagaReportHandler(deps)),
    on(InventoryReservationFailedV1, sagaReportHandler(deps)),
    on(PaymentSucceededV1, sagaReportHandler(deps)),
    on(PaymentFailedV1, sagaReportHandler(deps)),
    on(InventoryReleasedV1, timelineHandler(deps)),
    on(PaymentRefundedV1, timelineHandler(deps)),
    on(NotificationSentV1, timelineHandler(deps)),
  ];
}
