import { z } from 'zod';

/**
 * Tracing settings, read by every service. The names are OpenTelemetry's standard ones where
 * one exists, so the usual collector set-ups work unchanged.
 */
export const tracingConfigSchema = z.object({
  /** Off by default: then no SDK is loaded and the API's no-op tracer costs nothing. */
  TRACING_ENABLED: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().default('http://localhost:4318'),
  /** How long finished spans wait to be exported in a batch, in ms. */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).max(60_000).default(5000),
});

export type TracingConfig = z.infer<typeof tracingConfigSchema>;
