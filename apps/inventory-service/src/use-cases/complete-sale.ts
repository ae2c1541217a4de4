import { type EventOf, type OrderConfirmedV1 } from '@shopflow/events';
import { moveUnits } from '../data-access/products.repository';
import { findReservation, lockOrder, setReservationStatus } from '../data-access/reservations.repository';
import { onOrderConfirmed } from '../domain/reservation-state';
import { type InventoryDependencies } from './dependencies';
import { handleOnce, type Handled } from './handle-once';

/** order.confirmed: the reserved units are sold and leave the stock. */
export function completeSale(deps: InventoryDependencies, event: EventOf<typeof OrderConfirmedV1>) {
  return handleOnce(deps.transactions, event, async (tx): Promise<Handled<'sold' | 'ignored'>> => {
    const { orderId } = event.payload;
    lockOrder(tx, orderId);
    const decision = onOrderConfirmed(await findReservation(tx, orderId));
    if (decision.action === 'ignore') return { outcome: 'ignored', events: [] };

    moveUnits(tx, 'sell', decision.items);
    setReservationStatus(tx, orderId, 'SOLD');
    return { outcome: 'sold', events: [] };
  });
}
