import { type OrderCancelledV1 } from '@shopflow/events';
import { outcomeOf, type EventHandler } from '@shopflow/messaging';
import { type PaymentDependencies } from '../use-cases/dependencies';
import { refundOrder } from '../use-cases/refund-order';

export const orderCancelledHandler =
  (deps: PaymentDependencies): EventHandler<typeof OrderCancelledV1> =>
  async (event, { logger }) => {
    const progress = await refundOrder(deps, event);
    logger.info(
      { orderId: event.payload.orderId, outcome: outcomeOf(progress.handled), payment: progress.payment },
      'order.cancelled handled',
    );
  };
