import { type Database } from '@shopflow/postgres';
import { findOrder, listCustomerOrders } from '../data-access/orders.repository';
import { type Order } from '../domain/order';
import { encodeCursor, type OrderCursor } from '../domain/order-cursor';

export function getOrder(db: Database, id: string): Promise<Order | null> {
  return findOrder(db, id);
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
