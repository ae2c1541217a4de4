import { type OrderPlacedV1 } from '@shopflow/events';
import { type EventHandler } from '@shopflow/messaging';
import { chargeOrder } from '../use-cases/charge-order';
import { type PaymentDependencies } from '../use-cases/dependencies';

export const orderPlacedHandler =
  (deps: PaymentDependencies): EventHandler<typeof OrderPlacedV1> =>
  async (event, { logger }) => {
    const outcome = await chargeOrder(deps, event);
    logger.info({ outcome, orderId: event.payload.orderId }, 'order.placed handled');
  };
