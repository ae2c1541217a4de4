import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ConsumeOutcome = 'handled' | 'retried' | 'dead_lettered';

/** Every metric of one service process, on its own registry (so several services can share a test process). */
export interface ServiceMetrics {
  registry: Registry;
  eventsPublished: Counter<'event_type'>;
  eventsConsumed: Counter<'event_type' | 'outcome'>;
  handlerDuration: Histogram<'event_type'>;
  outboxBacklog: Gauge;
  outboxOldestUnsentAge: Gauge;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route'>;
}

export interface ServiceMetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC...). Default true. */
  defaultMetrics?: boolean;
}

/** A fresh registry with the shopflow metrics, every series labelled `service`. */
export function createServiceMetrics(service: string, options: ServiceMetricsOptions = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    eventsPublished: new Counter({
      name: 'shopflow_events_published_total',
      help: 'Events published and confirmed by the broker',
      labelNames: ['event_type'],
      registers,
    }),
    eventsConsumed: new Counter({
      name: 'shopflow_events_consumed_total',
      help: 'Deliveries settled by a consumer, by outcome (handled, retried, dead_lettered)',
      labelNames: ['event_type', 'outcome'],
      registers,
    }),
    handlerDuration: new Histogram({
      name: 'shopflow_event_handler_duration_seconds',
      help: 'Time an event handler ran, whether it succeeded or failed',
      labelNames: ['event_type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    outboxBacklog: new Gauge({
      name: 'shopflow_outbox_backlog',
      help: 'Outbox rows not yet published, measured at the last relay poll',
      registers,
    }),
    outboxOldestUnsentAge: new Gauge({
      name: 'shopflow_outbox_oldest_unsent_age_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when none), measured at the last relay poll',
      registers,
    }),
    httpRequests: new Counter({
      name: 'shopflow_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'shopflow_http_request_duration_seconds',
      help: 'HTTP request duration, by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}
