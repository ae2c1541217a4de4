import { type OrderCancelledV1 } from '@shopflow/events';
import { outcomeOf, type EventHandler } from '@shopflow/messaging';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { releaseReservation } from '../use-cases/release-reservation';

export const orderCancelledHandler =
  (deps: InventoryDependencies): EventHandler<typeof OrderCancelledV1> =>
  async (event, { logger }) => {
    const handled = await releaseReservation(deps, event);
    logger.info({ orderId: event.payload.orderId, outcome: outcomeOf(handled) }, 'order.cancelled handled');
  };
