import { OrderCancelledV1, OrderPlacedV1 } from '@shopflow/events';
import { on } from '@shopflow/messaging';
import { type PaymentDependencies } from '../use-cases/dependencies';
import { orderCancelledHandler } from './order-cancelled.handler';
import { orderPlacedHandler } from './order-placed.handler';

/** Everything payment-service listens to; its queue is bound to exactly these events. */
export const paymentHandlers = (deps: PaymentDependencies) => [
  on(OrderPlacedV1, orderPlacedHandler(deps)),
  on(OrderCancelledV1, orderCancelledHandler(deps)),
];
