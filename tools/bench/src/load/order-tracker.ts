import { type OrderOutcomes } from './order-outcomes';
import { type OrderJson, type ShopApi } from './shop-api';

export interface FinalOrder {
  status: 'CONFIRMED' | 'CANCELLED';
  reason: string | null;
  /** The order's own timestamps (epoch ms): its `placed` step and its `confirmed`/`cancelled` step. */
  placedAt: number;
  finalAt: number;
  /** When each step first appears on the timeline (epoch ms), for the per-hop breakdown. */
  steps: Record<string, number>;
}

export type Followed = { final: FinalOrder; polls: number } | { final?: undefined; polls: number; error: string };

/**
 * Follows orders to their final state with GET /orders/:id. Latency is read from the order's
 * timeline, so when we look only decides how soon we notice, not what we measure. With `outcomes`
 * (the bench's own services) the first GET waits for the order's final event, so one GET per order
 * suffices. Without (--target), the first poll waits until about the recent median saga latency
 * has passed: most orders are then final at the first or second look.
 */
export class OrderTracker {
  private readonly recent: number[] = [];
  private recentNext = 0;
  /** GETs that failed (network, 5xx): retried, and counted. */
  failedPolls = 0;

  constructor(
    private readonly api: ShopApi,
    private readonly options: { pollIntervalMs: number; deadlineMs: number; outcomes?: OrderOutcomes },
  ) {}

  async follow(order: OrderJson): Promise<Followed> {
    const deadline = Date.now() + this.options.deadlineMs;
    let polls = 0;
    const { outcomes } = this.options;
    await (outcomes ? outcomes.final(order.id, this.options.deadlineMs) : sleep(this.firstPollDelay()));
    for (;;) {
      polls += 1;
      const res = await this.api.order(order.id).catch(() => undefined);
      if (res?.status === 200) {
        const final = finalOf(res.body);
        if (final) {
          this.remember(final.finalAt - final.placedAt);
          return { final, polls };
        }
      } else {
        this.failedPolls += 1;
      }
      if (Date.now() > deadline) {
        return { polls, error: `still ${res?.body.status ?? 'unknown'} after ${this.options.deadlineMs / 1000} s` };
      }
      await sleep(this.options.pollIntervalMs);
    }
  }

  private firstPollDelay(): number {
    if (this.recent.length < 20) return this.options.pollIntervalMs;
    const median = [...this.recent].sort((a, b) => a - b)[Math.floor(this.recent.length / 2)] ?? 0;
    return Math.min(2000, Math.max(this.options.pollIntervalMs, median * 0.8));
  }

  private remember(sagaMs: number): void {
    this.recent[this.recentNext] = sagaMs;
    this.recentNext = (this.recentNext + 1) % 200;
  }
}

/** The final state and its timestamps, or undefined while PENDING. */
export function finalOf(order: OrderJson): FinalOrder | undefined {
  if (order.status !== 'CONFIRMED' && order.status !== 'CANCELLED') return undefined;
  const step = order.status === 'CONFIRMED' ? 'confirmed' : 'cancelled';
  const placed = order.timeline.find((entry) => entry.step === 'placed')?.at ?? order.createdAt;
  const final = order.timeline.find((entry) => entry.step === step)?.at;
  if (!final) throw new Error(`order ${order.id} is ${order.status} but its timeline has no '${step}' step`);
  const steps: Record<string, number> = {};
  for (const entry of order.timeline) steps[entry.step] ??= Date.parse(entry.at);
  return {
    status: order.status,
    reason: order.reason,
    placedAt: Date.parse(placed),
    finalAt: Date.parse(final),
    steps,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
