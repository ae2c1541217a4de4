import { EXPECTED, type OrderMix, type Scenario } from './order-mix';
import { type FinalOrder, type OrderTracker } from './order-tracker';
import { type ShopApi } from './shop-api';

/** One order the bench placed, from its POST to its final state (or why it got none). */
export interface OrderOutcome {
  scenario: Scenario;
  /** Bench clock (epoch ms) when the POST was sent, and how long until its answer. */
  postStartedAt: number;
  postMs: number;
  final?: FinalOrder;
  polls: number;
  /** Set when the order counts as an error: a failed POST, never final, or the wrong outcome. */
  error?: { kind: 'http' | 'never-final' | 'wrong-outcome'; detail: string };
  /**
   * The system said it was too busy to take the order (503 or 429 with Retry-After) and stored
   * nothing: admission control doing its job under overload, not an error.
   */
  refused?: { status: number; retryAfterSeconds: number };
}

/** Places one order and follows it to its final state: one saga, as a client sees it. */
export async function runSaga(
  api: ShopApi,
  tracker: OrderTracker,
  mix: OrderMix,
  customer: number,
): Promise<OrderOutcome> {
  const { scenario, request } = mix.next(customer);
  const postStartedAt = Date.now();
  const started = performance.now();
  const res = await api.placeOrder(request).catch((error: Error) => error);
  const postMs = performance.now() - started;
  const base = { scenario, postStartedAt, postMs, polls: 0 };
  if (res instanceof Error) return { ...base, error: { kind: 'http', detail: res.message } };
  if ((res.status === 503 || res.status === 429) && res.retryAfter !== undefined) {
    return { ...base, refused: { status: res.status, retryAfterSeconds: Number(res.retryAfter) || 1 } };
  }
  if (res.status !== 201)
    return { ...base, error: { kind: 'http', detail: `POST /orders: ${res.status} ${JSON.stringify(res.body)}` } };
  const followed = await tracker.follow(res.body);
  if (!followed.final)
    return {
      ...base,
      polls: followed.polls,
      error: { kind: 'never-final', detail: `order ${res.body.id} ${followed.error}` },
    };
  const { final, polls } = followed;
  const expected = EXPECTED[scenario];
  if (final.status !== expected.status || final.reason !== expected.reason) {
    const detail = `order ${res.body.id} (${scenario}) ended ${final.status}/${final.reason}, expected ${expected.status}/${expected.reason}`;
    return { ...base, final, polls, error: { kind: 'wrong-outcome', detail } };
  }
  return { ...base, final, polls };
}
