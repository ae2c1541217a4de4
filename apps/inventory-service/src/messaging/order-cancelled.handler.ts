import { type OrderCancelledV1 } from '@shopflow/events';
import { type EventHandler } from '@shopflow/messaging';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { releaseReservation } from '../use-cases/release-reservation';

export const orderCancelledHandler =
  (deps: InventoryDependencies): EventHandler<typeof OrderCancelledV1> =>
  async (event, { logger }) => {
    const outcome = await releaseReservation(deps, event);
    logger.info({ outcome, orderId: event.payload.orderId }, 'order.cancelled handled');
  };
