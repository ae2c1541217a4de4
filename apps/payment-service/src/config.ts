import { baseConfigSchema, loadConfig } from '@shopflow/bootstrap';
import { z } from 'zod';

export const SERVICE_NAME = 'payment-service';

export const configSchema = baseConfigSchema({ port: 3003 }).extend({
  /** Simulated gateway latency per charge or refund, for demos. */
  GATEWAY_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Share (0..1) of gateway calls that fail with a transient error, for demos: they are retried. */
  GATEWAY_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
