import { authConfigShape } from '@shopflow/auth';
import { tracingConfigSchema } from '@shopflow/observability';
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses the environment against a service's config schema. A bad config is a
 * deployment mistake: it throws a ConfigError listing every problem, which `main`
 * prints before exiting, rather than failing later in some unrelated place.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}

const urlWithProtocol = (protocols: string[]) =>
  z.url().refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
    message: `must be a ${protocols.join(' or ')} URL`,
  });

/**
 * The broker's address, or a cluster's: AMQP URLs separated by commas, one per node. They must name
 * the same user and vhost (a cluster's nodes share both), so a typo in one is caught at start-up
 * rather than at the first failover.
 */
const amqpUrls = z
  .string()
  .transform((value) => value.split(',').map((url) => url.trim()))
  .pipe(z.array(urlWithProtocol(['amqp:', 'amqps:'])).min(1))
  .refine((urls) => new Set(urls.map((url) => userAndVhost(url))).size === 1, {
    message: 'every address must name the same user and vhost (the nodes of one cluster)',
  });

function userAndVhost(url: string): string {
  if (!URL.canParse(url)) return url; // reported as not a URL already
  const { username, pathname } = new URL(url);
  return `${decodeURIComponent(username)}@${decodeURIComponent(pathname.slice(1)) || '/'}`;
}

/** Environment variables every service reads. Each service extends this with its own. */
export const baseConfigSchema = (defaults: {
  port: number;
  transactionBatchMax?: number;
  transactionBatchConcurrency?: number;
  prefetch?: number;
}) =>
  z.object({
    /** 0 picks a free port (tests). */
    PORT: z.coerce.number().int().min(0).max(65535).default(defaults.port),
    DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']),
    AMQP_URL: amqpUrls,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Messages a replica has in hand at once (unacknowledged). With group commit it also bounds how
     * many share a transaction. A service that waits on a slow outside system per message needs
     * more of them in hand to keep busy (Little's law: rate × wait), so it sets its own default.
     */
    PREFETCH: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(defaults.prefetch ?? 50),
    /**
     * Connections to the service's database. With group commit one batch at a time needs one; with
     * TRANSACTION_BATCH_MAX=1 each message in hand holds one for its whole handling.
     */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
    /**
     * Most units of work (events handled, requests) committed in one transaction: under load they
     * share its BEGIN, COMMIT, inbox and outbox statements. 1 runs each in its own transaction.
     * At most 64, PostgreSQL's per-transaction cache of subtransactions (one savepoint per unit).
     */
    TRANSACTION_BATCH_MAX: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(defaults.transactionBatchMax ?? 32),
    /**
     * Batches run at once, each on a connection of its own. Another starts only while half a batch
     * (TRANSACTION_BATCH_MAX ÷ 2 units) waits behind the running one: a backlog that one transaction
     * at a time does not keep up with. Where batches meet on the same rows (a popular product's
     * stock) more would only wait on each other's locks, so it stays 1 there.
     */
    TRANSACTION_BATCH_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(8)
      .default(defaults.transactionBatchConcurrency ?? 1),
    /** Readiness fails once the oldest unpublished outbox event is older than this: events are stuck. */
    READINESS_OUTBOX_MAX_AGE_MS: z.coerce.number().int().min(1000).default(60_000),
    ...tracingConfigSchema.shape,
    ...authConfigShape,
  });

export type BaseConfig = z.infer<ReturnType<typeof baseConfigSchema>>;
