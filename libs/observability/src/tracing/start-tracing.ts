import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { tracingConfigSchema, type TracingConfig } from './tracing-config';

let provider: TracerProvider | undefined;

/** Probes and scrapes would otherwise fill the trace store with one-span traces. */
const isHousekeeping = (url = '') => url === '/metrics' || url.startsWith('/health');

/**
 * Starts the OpenTelemetry SDK: W3C trace context, OTLP/HTTP export in batches, and the
 * official instrumentations of http, express and pg (Prisma's driver). Must run before those
 * modules are loaded, which is why each service's `main.ts` imports its `instrumentation.ts` first.
 */
export function startTracing(serviceName: string, config: TracingConfig): void {
  if (!config.TRACING_ENABLED || provider) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: new URL('v1/traces', withSlash(config.OTEL_EXPORTER_OTLP_ENDPOINT)).href,
        }),
        scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isHousekeeping(request.url),
        // Outgoing calls with no trace around them (the broker's management API at scrape time) are noise.
        requireParentforOutgoingSpans: true,
      }),
      new ExpressInstrumentation(),
      // Relay polls and other background queries belong to no request or event: no spans for them.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
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

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
