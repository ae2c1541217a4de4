import { baseConfigSchema, loadConfig } from '@shopflow/bootstrap';
import { z } from 'zod';

export const SERVICE_NAME = 'order-service';

export const configSchema = baseConfigSchema({ port: 3001 }).extend({
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
  // and publishing nothing, while the backlog of unfinished sagas (orders still PENDING) passes a
  // bound. The defaults never refuse in normal operation, where a saga takes up to about 1 s (the
  // payment gateway is the slow step): by Little's law the backlog is then about the order rate ×
  // 1 s (some 300 orders at the benchmark's 300 sagas/s) and its age about 1 s. Both bounds 0: off.
  /**
   * At this many PENDING orders new ones are refused. 2000: over six times the normal backlog at
   * 300 sagas/s, and still only some 7 s of work at that rate. 0: no bound.
   */
  ADMISSION_MAX_PENDING_ORDERS: z.coerce.number().int().min(0).max(10_000_000).default(2000),
  /**
   * How long the backlog may have waited: the age of the PENDING order that ADMISSION_AGE_STRAGGLERS
   * and the oldest 10% of the backlog leave out, not of the oldest one, which may be stuck until
   * ORDER_TIMEOUT_MS cancels it. Each replica turns it into a limit on PENDING orders that it
   * adapts at every measurement (src/domain/admission.ts, PendingLimit): the bound that holds when
   * the service finishes fewer sagas per second than usual (a slow dependency), where a fixed count
   * would let the wait grow. 550: offered twice what it can finish, with the bench's realistic card
   * processor (p99 600 ms), 1 replica keeps finishing about 0.9× its capacity and the accepted
   * orders keep a saga p99 under a second; 500 costs throughput, 600 latency (the measured
   * trade-off is in docs/performance.md). A hiccup longer than that (a participant restarting)
   * refuses orders, with Retry-After, rather than piling them up. Raise it where longer waits are
   * acceptable, or for a slower processor.
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
   * The oldest PENDING orders the age bound always leaves out (and the oldest 10% once there are
   * more): so that a few orders stuck on a lost reply, at low load the whole backlog, never refuse
   * all traffic until their timeout.
   */
  ADMISSION_AGE_STRAGGLERS: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /** Seconds a refused client is told to wait (Retry-After); about the time the backlog takes to shrink. */
  ADMISSION_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3600).default(1),
  /**
   * How often each replica measures the backlog (one count and one index read on its own
   * connection); requests decide from the latest measurement. The bounds can be overshot by the
   * orders accepted in one interval.
   */
  ADMISSION_REFRESH_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(100),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
