import { createEvent, InventoryReleasedV1, type EventOf, type OrderCancelledV1 } from '@shopflow/events';
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
import { handleOnce, type Handled } from './handle-once';

type ReleaseOutcome = 'released' | 'cancellation-remembered' | 'ignored';

/** order.cancelled (compensation): puts the order's reserved units back on sale. */
export function releaseReservation(deps: InventoryDependencies, event: EventOf<typeof OrderCancelledV1>) {
  return handleOnce(deps.transactions, event, async (tx): Promise<Handled<ReleaseOutcome>> => {
    const { orderId } = event.payload;
    lockOrder(tx, orderId);
    const decision = onOrderCancelled(await findReservation(tx, orderId));
    if (decision.action === 'ignore') return { outcome: 'ignored', events: [] };
    if (decision.action === 'remember') {
      createReservation(tx, orderId, 'CANCELLED');
      return { outcome: 'cancellation-remembered', events: [] };
    }

    moveUnits(tx, 'release', decision.items);
    setReservationStatus(tx, orderId, 'RELEASED');
    const released = createEvent(
      InventoryReleasedV1,
      { orderId, items: decision.items },
      { source: SERVICE_NAME, causedBy: event },
    );
    return { outcome: 'released', events: [released] };
  });
}
