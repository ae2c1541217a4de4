import { tracingConfigSchema, type TracingConfig } from './tracing-config';

let provider: { shutdown(): Promise<void> } | undefined;

/**
 * Starts the OpenTelemetry SDK. Must run before http, express and pg are loaded, which is why each
 * service's `main.ts` imports its `instrumentation.ts` first.
 */
export function startTracing(serviceName: string, config: TracingConfig): void {
  if (!config.TRACING_ENABLED || provider) return;
  // Loaded only when tracing is on: otherwise the SDK and its instrumentations would cost every process
  // memory for nothing (docs/observability.md).
  const sdk = require('./tracer-provider') as typeof import('./tracer-provider');
  provider = sdk.registerTracerProvider(serviceName, config);
}

/** Reads the tracing settings from the environment; an invalid one is left for the config check to report. */
export function startTracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  const config = tracingConfigSchema.safeParse(env);
  if (config.success) startTracing(serviceName, config.data);
}

/**
 * Exports the spans still buffered, giving up after `timeoutMs`: the last step of a graceful
 * shutdown, which an unreachable collector must not hold up. Resolves with why spans were lost, if they were.
 */
export async function stopTracing(timeoutMs = 2000): Promise<string | undefined> {
  const stopping = provider?.shutdown();
  provider = undefined;
  if (!stopping) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`the collector did not take the last spans within ${timeoutMs} ms`), timeoutMs);
  });
  const outcome = stopping.then(
    () => undefined,
    (error: Error) => `the last spans could not be exported: ${error.message}`,
  );
  return Promise.race([outcome, timeout]).finally(() => clearTimeout(timer));
}
