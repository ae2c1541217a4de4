import {
  createEvent,
  InventoryReservationFailedV1,
  InventoryReservedV1,
  type EventOf,
  type OrderPlacedV1,
} from '@shopflow/events';
import { type HandledOnce } from '@shopflow/messaging';
import { SERVICE_NAME } from '../config';
import { lockProducts, moveUnits } from '../data-access/products.repository';
import { createReservation, findReservation, lockOrder } from '../data-access/reservations.repository';
import { mergeLines } from '../domain/order-lines';
import { onOrderPlaced } from '../domain/reservation-state';
import { reserveItems } from '../domain/reserve-items';
import { type InventoryDependencies } from './dependencies';

/** order.placed: reserves every item of the order or none, and says which. */
export function reserveStock(
  deps: InventoryDependencies,
  event: EventOf<typeof OrderPlacedV1>,
): Promise<HandledOnce<'reserved' | 'rejected' | 'ignored'>> {
  return deps.transactions.handleOnce(event, async (tx) => {
    const { orderId } = event.payload;
    const lines = mergeLines(event.payload.items);
    const skus = lines.map((line) => line.sku);
    lockOrder(tx, orderId);
    // Both in one round trip: products locked for a copy of the event that is then ignored cost nothing.
    const [reservation, products] = await Promise.all([findReservation(tx, orderId), lockProducts(tx, skus)]);
    if (onOrderPlaced(reservation) === 'ignore') return { result: 'ignored', events: [] };

    const decision = reserveItems(products, lines);
    const origin = { source: SERVICE_NAME, causedBy: event };
    if (decision.outcome === 'rejected') {
      // Remembered so that a later copy of this order.placed (with another event id) changes nothing.
      createReservation(tx, orderId, 'REJECTED');
      const { reason, items } = decision;
      return {
        result: 'rejected',
        events: [createEvent(InventoryReservationFailedV1, { orderId, reason, items }, origin)],
      };
    }
    moveUnits(tx, 'reserve', decision.items);
    createReservation(tx, orderId, 'RESERVED', decision.items);
    return {
      result: 'reserved',
      events: [createEvent(InventoryReservedV1, { orderId, items: decision.items }, origin)],
    };
  });
}
