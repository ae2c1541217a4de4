import { type OrderMix } from './order-mix';
import { type OrderTracker } from './order-tracker';
import { runSaga, type OrderOutcome } from './saga-client';
import { type ShopApi } from './shop-api';

export interface LoadContext {
  api: ShopApi;
  tracker: OrderTracker;
  mix: OrderMix;
}

/** When a loop's measured window began and ended (bench clock, epoch ms), and every order it placed. */
export interface LoopRun {
  windowStart: number;
  windowEnd: number;
  outcomes: OrderOutcome[];
  /** Open loop only: how late the latest order was sent after its scheduled time (the client falling behind). */
  maxSendLagMs?: number;
}

/**
 * Closed loop: `concurrency` customers, each placing an order, waiting until it is final, then
 * placing the next. Runs `leadInMs` unmeasured then `windowMs` measured without a pause, so the
 * window sees a steady state; the sagas still in flight at the end are followed to their end.
 * `onWindow` is called when the window opens and closes (to sample CPU there).
 */
export async function closedLoop(
  ctx: LoadContext,
  options: { concurrency: number; leadInMs: number; windowMs: number; onWindow?: (edge: 'start' | 'end') => void },
): Promise<LoopRun> {
  const outcomes: OrderOutcome[] = [];
  const windowStart = Date.now() + options.leadInMs;
  const windowEnd = windowStart + options.windowMs;
  const edges = windowEdges(windowStart, windowEnd, options.onWindow);
  const customer = async (id: number) => {
    while (Date.now() < windowEnd) {
      const outcome = await runSaga(ctx.api, ctx.tracker, ctx.mix, id);
      outcomes.push(outcome);
      // A refused request comes back at once: do not spin on a broken system.
      if (outcome.error?.kind === 'http') await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.round(options.concurrency)) }, (_, id) => customer(id)));
  await edges;
  return { windowStart, windowEnd, outcomes };
}

/**
 * Open loop: orders arrive at a fixed rate whatever the system does (evenly spaced, the overdue
 * ones sent at once if a timer fires late), each followed to its final state. Same lead-in and
 * window as the closed loop; orders rotate over `customers` customers.
 */
export async function openLoop(
  ctx: LoadContext,
  options: {
    rate: number;
    leadInMs: number;
    windowMs: number;
    customers?: number;
    onWindow?: (edge: 'start' | 'end') => void;
  },
): Promise<LoopRun> {
  const customers = options.customers ?? 64;
  const start = Date.now();
  const windowStart = start + options.leadInMs;
  const windowEnd = windowStart + options.windowMs;
  const edges = windowEdges(windowStart, windowEnd, options.onWindow);
  const spacing = 1000 / options.rate;
  const sagas: Promise<OrderOutcome>[] = [];
  let maxSendLagMs = 0;
  for (let i = 0; ; i++) {
    const due = start + i * spacing;
    if (due >= windowEnd) break;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    maxSendLagMs = Math.max(maxSendLagMs, Date.now() - due);
    sagas.push(runSaga(ctx.api, ctx.tracker, ctx.mix, i % customers));
  }
  const outcomes = await Promise.all(sagas);
  await edges;
  return { windowStart, windowEnd, outcomes, maxSendLagMs };
}

function windowEdges(start: number, end: number, onWindow?: (edge: 'start' | 'end') => void): Promise<void> {
  if (!onWindow) return Promise.resolve();
  return (async () => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - Date.now())));
    onWindow('start');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now())));
    onWindow('end');
  })();
}
