import { type OrderPlacedV1 } from '@shopflow/events';
import { outcomeOf, type EventHandler } from '@shopflow/messaging';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { reserveStock } from '../use-cases/reserve-stock';

export const orderPlacedHandler =
  (deps: InventoryDependencies): EventHandler<typeof OrderPlacedV1> =>
  async (event, { logger }) => {
    const handled = await reserveStock(deps, event);
    logger.info({ orderId: event.payload.orderId, outcome: outcomeOf(handled) }, 'order.placed handled');
  };
