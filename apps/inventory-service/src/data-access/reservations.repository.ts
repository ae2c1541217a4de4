import { lockUntilTransactionEnds, sql, type Transaction } from '@shopflow/postgres';
import { type OrderLine } from '../domain/order-lines';
import { type Reservation, type ReservationStatus } from '../domain/reservation-state';

/**
 * Serialises all work on one order across replicas until the transaction ends, so an
 * order.placed and an order.cancelled handled at the same moment cannot miss each other.
 */
export function lockOrder(tx: Transaction, orderId: string): void {
  lockUntilTransactionEnds(tx, orderId);
}

/** The order's reservation with its items in sku order, read in one query (node-postgres parses the json). */
export async function findReservation(tx: Transaction, orderId: string): Promise<Reservation | undefined> {
  const [row] = await tx.query<Reservation>(sql`
    SELECT status::text AS status,
           (SELECT coalesce(json_agg(json_build_object('sku', sku, 'quantity', quantity) ORDER BY sku), '[]')
            FROM reservation_items WHERE order_id = reservations.order_id) AS items
    FROM reservations
    WHERE order_id = ${orderId}::uuid`);
  return row;
}

/** Inserts the reservation and its items (if any) in one statement, sent without waiting (Transaction.send). */
export function createReservation(
  tx: Transaction,
  orderId: string,
  status: ReservationStatus,
  items: readonly OrderLine[] = [],
): void {
  const skus = items.map((item) => item.sku);
  const quantities = items.map((item) => item.quantity);
  // The reservation is inserted even without items: a data-modifying WITH always runs to completion.
  // The items' foreign key is checked at the end of the statement, when the reservation exists.
  tx.sendWithoutWaiting(sql`
    WITH reservation AS (
      INSERT INTO reservations (order_id, status, updated_at)
      VALUES (${orderId}::uuid, ${status}::reservation_status, now())
      RETURNING order_id
    )
    INSERT INTO reservation_items (order_id, sku, quantity)
    SELECT reservation.order_id, item.sku, item.quantity
    FROM reservation, unnest(${skus}::text[], ${quantities}::int[]) AS item (sku, quantity)`);
}

/**
 * Sent without waiting (Transaction.send). Callers found the reservation under the order's lock, and
 * reservations are never deleted: the row is there.
 */
export function setReservationStatus(tx: Transaction, orderId: string, status: ReservationStatus): void {
  tx.sendWithoutWaiting(sql`
    UPDATE reservations SET status = ${status}::reservation_status, updated_at = now()
    WHERE order_id = ${orderId}::uuid`);
}
