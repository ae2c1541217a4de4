import { type OrderCancelledV1 } from '@shopflow/events';
import { type EventHandler } from '@shopflow/messaging';
import { type PaymentDependencies } from '../use-cases/dependencies';
import { refundOrder } from '../use-cases/refund-order';

export const orderCancelledHandler =
  (deps: PaymentDependencies): EventHandler<typeof OrderCancelledV1> =>
  async (event, { logger }) => {
    const outcome = await refundOrder(deps, event);
    logger.info({ outcome, orderId: event.payload.orderId }, 'order.cancelled handled');
  };
