import { type Order } from '../domain/order';

/** The order as the API shows it. */
export function orderJson(order: Order) {
  return {
    id: order.id,
    status: order.state.status,
    reason: order.state.reason,
    customerId: order.customerId,
    email: order.email,
    items: order.lines.map(({ sku, quantity, unitPrice, lineTotal }) => ({ sku, quantity, unitPrice, lineTotal })),
    total: order.total,
    createdAt: order.createdAt.toISOString(),
    timeline: order.timeline.map(({ step, at, detail }) => ({
      step,
      at: at.toISOString(),
      ...(detail === null ? {} : { detail }),
    })),
  };
}
