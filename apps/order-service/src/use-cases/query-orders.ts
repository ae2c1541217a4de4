import { type Database } from '@shopflow/postgres';
import { findOrder, listCustomerOrders } from '../data-access/orders.repository';
import { type Order } from '../domain/order';
import { encodeCursor, type OrderCursor } from '../domain/order-cursor';
import { maySee, type OrderViewer } from '../domain/order-viewer';

/**
 * The order, if the viewer may see it. Someone else's order is as absent as one that does not
 * exist (404, not 403): order ids cannot be probed.
 */
export async function getOrder(db: Database, id: string, viewer: OrderViewer): Promise<Order | null> {
  const order = await findOrder(db, id);
  return order && maySee(viewer, order) ? order : null;
}

export interface OrderPage {
  orders: Order[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** A page of a customer's orders, newest first (keyset pagination: stable while orders are added). */
export async function listOrders(
  db: Database,
  query: { customerId: string; limit: number; after?: OrderCursor },
): Promise<OrderPage> {
  // One more than asked tells whether another page follows, without a count.
  const orders = await listCustomerOrders(db, { ...query, limit: query.limit + 1 });
  const page = orders.slice(0, query.limit);
  const last = page.at(-1);
  return { orders: page, nextCursor: orders.length > query.limit && last ? encodeCursor(last) : null };
}
