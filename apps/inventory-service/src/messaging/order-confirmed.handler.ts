import { type OrderConfirmedV1 } from '@shopflow/events';
import { outcomeOf, type EventHandler } from '@shopflow/messaging';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { completeSale } from '../use-cases/complete-sale';

export const orderConfirmedHandler =
  (deps: InventoryDependencies): EventHandler<typeof OrderConfirmedV1> =>
  async (event, { logger }) => {
    const handled = await completeSale(deps, event);
    logger.info({ orderId: event.payload.orderId, outcome: outcomeOf(handled) }, 'order.confirmed handled');
  };
