import { OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1 } from '@shopflow/events';
import { on } from '@shopflow/messaging';
import { type NotificationDependencies } from '../use-cases/dependencies';
import { orderEmailHandler } from './order-email.handler';

/** Everything notification-service listens to; its queue is bound to exactly these events. */
export const notificationHandlers = (deps: NotificationDependencies) => [
  on(OrderPlacedV1, orderEmailHandler(deps)),
  on(OrderConfirmedV1, orderEmailHandler(deps)),
  on(OrderCancelledV1, orderEmailHandler(deps)),
];
