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
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
