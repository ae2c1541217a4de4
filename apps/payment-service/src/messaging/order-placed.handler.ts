import { type OrderPlacedV1 } from '@shopflow/events';
import { outcomeOf, type EventHandler } from '@shopflow/messaging';
import { chargeOrder } from '../use-cases/charge-order';
import { type PaymentDependencies } from '../use-cases/dependencies';

export const orderPlacedHandler =
  (deps: PaymentDependencies): EventHandler<typeof OrderPlacedV1> =>
  async (event, { logger }) => {
    const progress = await chargeOrder(deps, event);
    logger.info(
      { orderId: event.payload.orderId, outcome: outcomeOf(progress.handled), payment: progress.payment },
      'order.placed handled',
    );
  };
