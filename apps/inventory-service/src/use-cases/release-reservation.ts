import { createEvent, InventoryReleasedV1, type EventOf, type OrderCancelledV1 } from '@shopflow/events';
import { type HandledOnce } from '@shopflow/messaging';
import { SERVICE_NAME } from '../config';
import { moveUnits } from '../data-access/products.repository';
import {
  createReservation,
  findReservation,
  lockOrder,
  setReservationStatus,
} from '../data-access/reservations.repository';
import { onOrderCancelled } from '../domain/reservation-state';
import { type InventoryDependencies } from './dependencies';

type ReleaseOutcome = 'released' | 'cancellation-remembered' | 'ignored';

/** order.cancelled (compensation): puts the order's reserved units back on sale. */
export function releaseReservation(
  deps: InventoryDependencies,
  event: EventOf<typeof OrderCancelledV1>,
): Promise<HandledOnce<ReleaseOutcome>> {
  return deps.transactions.handleOnce(event, async (tx) => {
    const { orderId } = event.payload;
    lockOrder(tx, orderId);
    const decision = onOrderCancelled(await findReservation(tx, orderId));
    if (decision.action === 'ignore') return { result: 'ignored', events: [] };
    if (decision.action === 'remember') {
      createReservation(tx, orderId, 'CANCELLED');
      return { result: 'cancellation-remembered', events: [] };
    }

    moveUnits(tx, 'release', decision.items);
    setReservationStatus(tx, orderId, 'RELEASED');
    const released = createEvent(
      InventoryReleasedV1,
      { orderId, items: decision.items },
      { source: SERVICE_NAME, causedBy: event },
    );
    return { result: 'released', events: [released] };
  });
}
