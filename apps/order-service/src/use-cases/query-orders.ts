import { findOrder, listCustomerOrders } from '../data-access/orders.repository';
import { type Order } from '../domain/order';
import { encodeCursor, type OrderCursor } from '../domain/order-cursor';
import { maySee, type OrderViewer } from '../domain/order-viewer';
import { type OrderDependencies } from './dependencies';

/**
 * The order, if the viewer may see it. Someone else's order is as absent as one that does not
 * exist (404, not 403): order ids cannot be probed.
 */
export async function getOrder(
  deps: OrderDependencies,
  query: { id: string; viewer: OrderViewer },
): Promise<Order | undefined> {
  const order = await findOrder(deps.db, query.id);
  return order && maySee(query.viewer, order) ? order : undefined;
}

export interface OrderPage {
  orders: Order[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** A page of a customer's orders, newest first (keyset pagination: stable while orders are added). */
export async function listOrders(
  deps: OrderDependencies,
  query: { customerId: string; limit: number; after?: OrderCursor },
): Promise<OrderPage> {
  // One more than asked tells whether another page follows, without a count.
  const orders = await listCustomerOrders(deps.db, { ...query, limit: query.limit + 1 });
  const page = orders.slice(0, query.limit);
  const last = page.at(-1);
  return { orders: page, nextCursor: orders.length > query.limit && last ? encodeCursor(last) : null };
}
