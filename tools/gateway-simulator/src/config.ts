import { z } from 'zod';

const share = z.coerce.number().min(0).max(1).default(0);
const millis = z.coerce.number().int().min(0).max(600_000);

/** The simulator's environment; the same knobs as PUT /simulator/settings. */
export const simulatorConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    /** 0.0.0.0 in a container. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Median answer time. */
    GATEWAY_LATENCY_MS: millis.default(0),
    /** 99th percentile of the answer time; unset, every answer takes the median. */
    GATEWAY_LATENCY_P99_MS: millis.optional(),
    /** Share of requests answered 503 before anything is done. */
    GATEWAY_FAILURE_RATE: share,
    /** Share of requests carried out but answered only after GATEWAY_HANG_MS: the caller times out. */
    GATEWAY_TIMEOUT_RATE: share,
    GATEWAY_HANG_MS: millis.default(30_000),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    settings: {
      latency: { p50Ms: env.GATEWAY_LATENCY_MS, p99Ms: env.GATEWAY_LATENCY_P99_MS ?? env.GATEWAY_LATENCY_MS },
      failureRate: env.GATEWAY_FAILURE_RATE,
      timeoutRate: env.GATEWAY_TIMEOUT_RATE,
      hangMs: env.GATEWAY_HANG_MS,
    },
  }));

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;

/** The config, or one line per problem naming the variable. */
export function readSimulatorConfig(env: NodeJS.ProcessEnv): SimulatorConfig | { problems: string[] } {
  const parsed = simulatorConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  return { problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
}
