import { outcomeOf, type HandlerContext } from '@shopflow/messaging';
import { type OrderDependencies } from '../use-cases/dependencies';
import { recordTimelineStep, type TimelineEvent } from '../use-cases/record-timeline-step';

export const timelineHandler =
  (deps: OrderDependencies) =>
  async (event: TimelineEvent, { logger }: HandlerContext): Promise<void> => {
    const handled = await recordTimelineStep(deps, event);
    logger.debug({ orderId: event.payload.orderId, outcome: outcomeOf(handled) }, 'timeline step recorded');
  };
