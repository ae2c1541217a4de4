import { type HandlerContext } from '@shopflow/messaging';
import { type OrderTransactions } from '../use-cases/order-transactions';
import { recordTimelineStep, type TimelineEvent } from '../use-cases/record-timeline-step';

export const timelineHandler =
  (transactions: OrderTransactions) =>
  async (event: TimelineEvent, { logger }: HandlerContext): Promise<void> => {
    const outcome = await recordTimelineStep(transactions, event);
    logger.debug({ orderId: event.payload.orderId, outcome }, 'timeline step recorded');
  };
