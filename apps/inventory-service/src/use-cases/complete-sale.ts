import { type EventOf, type OrderConfirmedV1 } from '@shopflow/events';
import { type HandledOnce } from '@shopflow/messaging';
import { moveUnits } from '../data-access/products.repository';
import { findReservation, lockOrder, setReservationStatus } from '../data-access/reservations.repository';
import { onOrderConfirmed } from '../domain/reservation-state';
import { type InventoryDependencies } from './dependencies';

/** order.confirmed: the reserved units are sold and leave the stock. */
export function completeSale(
  deps: InventoryDependencies,
  event: EventOf<typeof OrderConfirmedV1>,
): Promise<HandledOnce<'sold' | 'ignored'>> {
  return deps.transactions.handleOnce(event, async (tx) => {
    const { orderId } = event.payload;
    lockOrder(tx, orderId);
    const decision = onOrderConfirmed(await findReservation(tx, orderId));
    if (decision.action === 'ignore') return { result: 'ignored', events: [] };

    moveUnits(tx, 'sell', decision.items);
    setReservationStatus(tx, orderId, 'SOLD');
    return { result: 'sold', events: [] };
  });
}
