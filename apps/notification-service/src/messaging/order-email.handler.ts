import { type HandlerContext } from '@shopflow/messaging';
import { type OrderEmailEvent } from '../domain/email-templates';
import { type NotificationDependencies } from '../use-cases/dependencies';
import { sendOrderEmail } from '../use-cases/send-order-email';

/** One handler for every order event the customer hears about by e-mail. */
export const orderEmailHandler =
  (deps: NotificationDependencies) =>
  async (event: OrderEmailEvent, { logger }: HandlerContext): Promise<void> => {
    const outcome = await sendOrderEmail(deps, event);
    logger.info({ outcome, orderId: event.payload.orderId }, `${event.type} handled`);
  };
