import { type OrderPlacedV1 } from '@shopflow/events';
import { type EventHandler } from '@shopflow/messaging';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { reserveStock } from '../use-cases/reserve-stock';

export const orderPlacedHandler =
  (deps: InventoryDependencies): EventHandler<typeof OrderPlacedV1> =>
  async (event, { logger }) => {
    const outcome = await reserveStock(deps, event);
    logger.info({ outcome, orderId: event.payload.orderId }, 'order.placed handled');
  };
