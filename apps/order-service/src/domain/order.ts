import { type Money } from '@shopflow/events';
import { newOrderState, type OrderState } from './order-state';
import { type PricedLine } from './pricing';
import { type TimelineEntry } from './timeline';

/** What the saga needs of an order to decide and to announce its outcome. */
export interface SagaOrder {
  id: string;
  customerId: string;
  email: string;
  total: Money;
  /** Of the request that placed the order; carried by events emitted without a cause. */
  correlationId: string;
  state: OrderState;
  /** When the order was accepted: where its saga's duration starts. */
  placedAt: Date;
}

export interface Order extends Omit<SagaOrder, 'correlationId' | 'placedAt'> {
  lines: PricedLine[];
  createdAt: Date;
  /** Oldest first. */
  timeline: TimelineEntry[];
}

/** A just placed order: PENDING, with the `placed` step on its timeline. */
export function newOrder(order: Omit<Order, 'state' | 'timeline'>): Order {
  return { ...order, state: newOrderState(), timeline: [{ step: 'placed', at: order.createdAt, detail: null }] };
}

/** The order as it was when placed: what an idempotent replay of the request answers again. */
export function asPlaced(order: Order): Order {
  return { ...order, state: newOrderState(), timeline: order.timeline.filter((entry) => entry.step === 'placed') };
}
