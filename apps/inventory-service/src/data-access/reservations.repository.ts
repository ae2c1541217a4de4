import { type OrderLine } from '../domain/order-lines';
import { type Reservation, type ReservationStatus } from '../domain/reservation-state';
import { type Tx } from './prisma-client';

/**
 * Serialises all work on one order across replicas until the transaction ends, so an
 * order.placed and an order.cancelled handled at the same moment cannot miss each other.
 */
export async function lockOrder(tx: Tx, orderId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${orderId}))`;
}

/** The order's reservation with its items in sku order, read in one query. */
export async function findReservation(tx: Tx, orderId: string): Promise<Reservation | undefined> {
  const [row] = await tx.$queryRaw<Reservation[]>`
    SELECT status::text AS status,
           (SELECT coalesce(json_agg(json_build_object('sku', sku, 'quantity', quantity) ORDER BY sku), '[]')
            FROM reservation_items WHERE order_id = reservations.order_id) AS items
    FROM reservations
    WHERE order_id = ${orderId}::uuid`;
  return row;
}

/** Inserts the reservation and its items (if any) in one statement. */
export async function createReservation(
  tx: Tx,
  orderId: string,
  status: ReservationStatus,
  items: readonly OrderLine[] = [],
): Promise<void> {
  const skus = items.map((item) => item.sku);
  const quantities = items.map((item) => item.quantity);
  // The reservation is inserted even without items: a data-modifying WITH always runs to completion.
  // The items' foreign key is checked at the end of the statement, when the reservation exists.
  await tx.$executeRaw`
    WITH reservation AS (
      INSERT INTO reservations (order_id, status, updated_at)
      VALUES (${orderId}::uuid, ${status}::reservation_status, now())
      RETURNING order_id
    )
    INSERT INTO reservation_items (order_id, sku, quantity)
    SELECT reservation.order_id, item.sku, item.quantity
    FROM reservation, unnest(${skus}::text[], ${quantities}::int[]) AS item (sku, quantity)`;
}

export async function setReservationStatus(tx: Tx, orderId: string, status: ReservationStatus): Promise<void> {
  await tx.reservation.update({ where: { orderId }, data: { status } });
}
