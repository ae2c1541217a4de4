import { type Order } from './order';

/** Who reads orders: a customer sees only their own; support and operations see any. */
export type OrderViewer = { customerId: string } | 'anyone';

export function maySee(viewer: OrderViewer, order: Pick<Order, 'customerId'>): boolean {
  return viewer === 'anyone' || order.customerId === viewer.customerId;
}
