import { type OrderConfirmedV1 } from '@shopflow/events';
import { type EventHandler } from '@shopflow/messaging';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { completeSale } from '../use-cases/complete-sale';

export const orderConfirmedHandler =
  (deps: InventoryDependencies): EventHandler<typeof OrderConfirmedV1> =>
  async (event, { logger }) => {
    const outcome = await completeSale(deps, event);
    logger.info({ outcome, orderId: event.payload.orderId }, 'order.confirmed handled');
  };
