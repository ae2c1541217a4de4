import { baseConfigSchema, loadConfig } from '@shopflow/bootstrap';
import { z } from 'zod';

export const SERVICE_NAME = 'order-service';

// A second batch beside the running one once half a batch waits (docs/architecture.md, "Group
// commit"): a saga brings five units, each on that order's rows only. 100 messages in hand, three
// batches' worth, let the deliveries alone keep two batches full.
export const configSchema = baseConfigSchema({ port: 3001, transactionBatchConcurrency: 2, prefetch: 100 }).extend({
  /** A placed order still PENDING this long after it was placed is cancelled with reason `timeout`. */
  ORDER_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600_000)
    .default(60_000),
  /** How often the sweeper looks for orders past their deadline. */
  TIMEOUT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).max(3600_000).default(5000),

  // Admission control (src/domain/admission.ts): POST /orders answers 503 with Retry-After, storing
  // and publishing nothing, while the backlog of unfinished sagas passes a bound: the orders awaiting
  // their stock reservation have waited too long (the wait inside the system, which overload
  // lengthens), or too many orders are PENDING at all. The card processor's answer time is in
  // neither the age nor the limit it gives: a slow processor slows payments, not the taking of
  // orders. The defaults never refuse in normal operation. Both bounds 0: off.
  /**
   * At this many PENDING orders, whichever reply they wait for, new ones are refused. 0: no bound.
   * The backstop: by Little's law the PENDING orders are about the order rate × the saga's time,
   * the processor's answer time included, so 2000 is what 300 orders/s give with sagas of almost
   * 7 s (longer still at a lower rate), far over the normal backlog. It is the bound that refuses
   * orders when the card processor stops answering or takes several seconds: payments then pile up
   * as PENDING orders that ORDER_TIMEOUT_MS will cancel, and taking more would only add to the
   * pile, which is right then. A processor slower than usual but short of that slows payments only.
   */
  ADMISSION_MAX_PENDING_ORDERS: z.coerce.number().int().min(0).max(10_000_000).default(2000),
  /**
   * How long the orders awaiting their stock reservation (PENDING, inventory `pending`) may have
   * waited: the age of the oldest of them once the oldest 10% and the stragglers among the oldest
   * ADMISSION_AGE_STRAGGLERS are left out, not of the oldest one, which may be stuck until
   * ORDER_TIMEOUT_MS cancels it. That wait spans this service's outbox, the broker,
   * inventory-service and this service again, all inside the system: saturation lengthens it, a
   * slow card processor does not (the payment runs alongside it, and an order waiting only for its
   * payment is not counted). Each replica turns it into a limit
   * on the orders awaiting their reservation that it adapts at every measurement
   * (src/domain/admission.ts, PendingLimit): the bound that holds when the service finishes fewer
   * sagas per second than usual, where a fixed count would let the wait grow. A hiccup longer than
   * the bound (inventory-service restarting) refuses orders, with Retry-After, rather than piling
   * them up. The default is far above the reservation's wait in normal operation and refuses no
   * order at full load; while overload lasts, ADMISSION_OVERLOAD_PENDING_AGE_MS holds the wait
   * shorter (a lower bound here would refuse orders at full load already: docs/performance.md,
   * "The limit stuck low").
   * Far below the 60 s timeout: a bound at or above ORDER_TIMEOUT_MS could never be reached
   * (orders are cancelled first). 0: no bound.
   */
  ADMISSION_MAX_PENDING_AGE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600_000)
    .default(550),
  /**
   * The age bound while overload is sustained: once a third of the orders offered have been refused
   * for three seconds, until under a tenth are or no order comes for a second (src/domain/admission.ts,
   * DemandWatch).
   * ADMISSION_MAX_PENDING_AGE_MS is the queue a burst, or customers at full load, may build; under
   * sustained overload a queue that long keeps the service no busier, it only adds its wait to every
   * accepted saga. Only ever shortens the bound: at or above ADMISSION_MAX_PENDING_AGE_MS, or 0, the
   * bound stays ADMISSION_MAX_PENDING_AGE_MS. The default brought the accepted orders' saga p99 at
   * twice the capacity to about a second on the bench's machine (docs/performance.md, "A shorter
   * bound while overload lasts").
   */
  ADMISSION_OVERLOAD_PENDING_AGE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600_000)
    .default(250),
  /**
   * Of the oldest orders awaiting their stock reservation, how many the age bound may leave out as
   * stragglers (orders far older than the backlog's bulk: src/domain/admission.ts, agedOrderRanks),
   * and all of them while no more are waiting: so that a few orders stuck on a lost reply or a
   * retry, at low load the whole backlog, never refuse all traffic until their timeout.
   */
  ADMISSION_AGE_STRAGGLERS: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /** Seconds a refused client is told to wait (Retry-After); about the time the backlog takes to shrink. */
  ADMISSION_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3600).default(1),
  /**
   * How often each replica measures the backlog (one statement counting the PENDING orders and
   * those awaiting their reservation, one index read, on its own connection); requests decide from
   * the latest measurement. The bounds can be overshot by the orders accepted in one interval.
   */
  ADMISSION_REFRESH_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(100),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
