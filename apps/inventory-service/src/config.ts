import { baseConfigSchema, loadConfig } from '@shopflow/bootstrap';
import { z } from 'zod';

export const SERVICE_NAME = 'inventory-service';

export const configSchema = baseConfigSchema({ port: 3002 }).extend({
  /**
   * Inserts the demo products missing from the catalog at start (never overwrites one).
   * The whole catalog is announced at start either way, so other services can fill their copies.
   */
  SEED_CATALOG: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Every product is announced again this often, so consumers that missed an update catch up (0: never). */
  CATALOG_ANNOUNCE_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
