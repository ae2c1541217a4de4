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
 * placing the next. The measured window opens once `leadInMs` has passed and the system has
 * completed `concurrency` sagas (a cold or busy system can take longer than the lead-in to finish
 * its first ones; at most `maxLeadInMs`), and runs `windowMs` without a pause, so it sees a steady
 * state; the sagas in flight when it closes are followed to their end. `onWindow` is called at both
 * edges (to sample CPU there).
 */
export async function closedLoop(
  ctx: LoadContext,
  options: {
    concurrency: number;
    leadInMs: number;
    windowMs: number;
    maxLeadInMs?: number;
    onWindow?: (edge: 'start' | 'end') => void;
  },
): Promise<LoopRun> {
  const outcomes: OrderOutcome[] = [];
  let finished = 0;
  const concurrency = Math.max(1, Math.round(options.concurrency));
  const started = Date.now();
  let window: { start: number; end: number } | undefined;
  let closed: () => void = () => undefined;
  const windowClosed = new Promise<void>((resolve) => (closed = resolve));
  const maybeOpen = () => {
    const elapsed = Date.now() - started;
    const warm = elapsed >= options.leadInMs && finished >= concurrency;
    if (window || !(warm || elapsed >= (options.maxLeadInMs ?? 60_000))) return;
    const start = Date.now();
    window = { start, end: start + options.windowMs };
    options.onWindow?.('start');
    setTimeout(() => {
      options.onWindow?.('end');
      closed();
    }, options.windowMs);
  };
  const leadInTimer = setTimeout(maybeOpen, options.leadInMs);
  const customer = async (id: number) => {
    while (!window || Date.now() < window.end) {
      const outcome = await runSaga(ctx.api, ctx.tracker, ctx.mix, id);
      outcomes.push(outcome);
      if (outcome.final) finished += 1;
      maybeOpen();
      // A failed request comes back at once: do not spin on a broken system. A refused one says when to come back.
      const pause = outcome.refused
        ? outcome.refused.retryAfterSeconds * 1000
        : outcome.error?.kind === 'http'
          ? 50
          : 0;
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, id) => customer(id)));
  clearTimeout(leadInTimer);
  await windowClosed;
  const { start, end } = window ?? { start: started, end: started };
  return { windowStart: start, windowEnd: end, outcomes };
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
