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
import { type TracingConfig } from './tracing-config';

/** Probes and scrapes would otherwise fill the trace store with one-span traces. */
const isHousekeeping = (url = '') => url === '/metrics' || url.startsWith('/health');

/**
 * The OpenTelemetry SDK, registered globally: W3C trace context, OTLP/HTTP export in batches, and
 * the official instrumentations of http, express and pg (Prisma's driver).
 */
export function registerTracerProvider(serviceName: string, config: TracingConfig): { shutdown(): Promise<void> } {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new TracerProvider({
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
  return provider;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
