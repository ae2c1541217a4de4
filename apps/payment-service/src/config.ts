import { baseConfigSchema, loadConfig } from '@shopflow/bootstrap';
import { z } from 'zod';

export const SERVICE_NAME = 'payment-service';

/**
 * Charges take the card processor's time (typically 100-500 ms) outside any transaction, so many are
 * in flight at once: a replica holds up to PREFETCH messages and PAYMENT_GATEWAY_CONNECTIONS calls.
 */
export const configSchema = baseConfigSchema({ port: 3003, prefetch: 200 }).extend({
  /** The card processor's API (`npm start` runs a simulator of it on 4010). */
  PAYMENT_GATEWAY_URL: z
    .url()
    .refine((value) => ['http:', 'https:'].includes(new URL(value).protocol), { message: 'must be an http(s) URL' })
    .default('http://127.0.0.1:4010'),
  /** Longest wait for one answer; past it the attempt is retried with the same idempotency key. */
  PAYMENT_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** Calls in flight at once per replica (keep-alive connections to the processor). */
  PAYMENT_GATEWAY_CONNECTIONS: z.coerce.number().int().min(1).max(1000).default(128),
  /** Attempts per call before the message goes back to the consumer's retries (backoff in between). */
  PAYMENT_GATEWAY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  PAYMENT_GATEWAY_BACKOFF_MS: z.coerce.number().int().min(0).max(60_000).default(200),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
