import { OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1 } from '@shopflow/events';
import { on } from '@shopflow/messaging';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { orderCancelledHandler } from './order-cancelled.handler';
import { orderConfirmedHandler } from './order-confirmed.handler';
import { orderPlacedHandler } from './order-placed.handler';

/** Everything inventory-service listens to; its queue is bound to exactly these events. */
export const inventoryHandlers = (deps: InventoryDependencies) => [
  on(OrderPlacedV1, orderPlacedHandler(deps)),
  on(OrderCancelledV1, orderCancelledHandler(deps)),
  on(OrderConfirmedV1, orderConfirmedHandler(deps)),
];
