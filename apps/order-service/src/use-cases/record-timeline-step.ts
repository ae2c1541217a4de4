import { AppError } from '@shopflow/errors';
import {
  type EventOf,
  type InventoryReleasedV1,
  type NotificationSentV1,
  type PaymentRefundedV1,
} from '@shopflow/events';
import { type HandledOnce } from '@shopflow/messaging';
import { appendTimeline, isUnknownOrder } from '../data-access/orders.repository';
import { type TimelineEntry, type TimelineStep } from '../domain/timeline';
import { type OrderDependencies } from './dependencies';

/** Facts that only inform the customer's view of the order: they never change its status. */
export type TimelineEvent =
  EventOf<typeof InventoryReleasedV1> | EventOf<typeof PaymentRefundedV1> | EventOf<typeof NotificationSentV1>;

/** Adds the fact to the order's timeline; returns the step added. */
export async function recordTimelineStep(
  deps: OrderDependencies,
  event: TimelineEvent,
): Promise<HandledOnce<TimelineStep>> {
  const { orderId } = event.payload;
  try {
    return await deps.transactions.handleOnce(event, async (tx) => {
      const entry = timelineEntry(event);
      appendTimeline(tx, orderId, entry);
      return { result: entry.step, events: [] };
    });
  } catch (error) {
    if (isUnknownOrder(error))
      throw new AppError('not_found', `order ${orderId} does not exist (yet)`, {}, { cause: error });
    throw error;
  }
}

function timelineEntry(event: TimelineEvent): TimelineEntry {
  const at = new Date(event.occurredAt);
  switch (event.type) {
    case 'inventory.released':
      return { step: 'inventory-released', at, detail: null };
    case 'payment.refunded':
      return { step: 'payment-refunded', at, detail: null };
    case 'notification.sent':
      return { step: 'notification-sent', at, detail: event.payload.template };
  }
}
