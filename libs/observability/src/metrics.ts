import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ConsumeOutcome = 'handled' | 'retried' | 'dead_lettered';

export interface QueueStats {
  queue: string;
  /** Messages ready for delivery: the consumer's lag. */
  messages: number;
  consumers: number;
}

/** Asks the broker about the service's queues; called at scrape time so the figures are current. */
export type QueueProbe = () => Promise<QueueStats[]>;

export interface OutboxStats {
  backlog: number;
  oldestAgeSeconds: number;
}

/** Asks the database about unsent outbox rows; called at scrape time, never on the relay's hot path. */
export type OutboxProbe = () => Promise<OutboxStats>;

/** Every metric of one service process, on its own registry (so several services can share a test process). */
export interface ServiceMetrics {
  registry: Registry;
  eventsPublished: Counter<'event_type'>;
  eventsConsumed: Counter<'event_type' | 'outcome'>;
  handlerDuration: Histogram<'event_type'>;
  transactionBatchUnits: Histogram;
  transactionBatchDuration: Histogram;
  outboxBacklog: Gauge;
  outboxOldestUnsentAge: Gauge;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route'>;
  queueMessages: Gauge<'queue'>;
  queueConsumers: Gauge<'queue'>;
  /** Where the queue gauges read from; set once the consumer exists. */
  watchQueues(probe: QueueProbe): void;
  /** Where the outbox gauges read from; set by the relay. */
  watchOutbox(probe: OutboxProbe): void;
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
  let probe: QueueProbe | undefined;
  let outboxProbe: OutboxProbe | undefined;
  /** Read at scrape time; a database that cannot answer leaves the last value. */
  const fromOutbox = (field: keyof OutboxStats) =>
    async function collect(this: Gauge) {
      const stats = await outboxProbe?.().catch(() => undefined);
      if (stats) this.set(stats[field]);
    };
  /** Each gauge asks the broker when scraped; a broker that cannot answer leaves the last values. */
  const fromBroker = (field: 'messages' | 'consumers') =>
    async function collect(this: Gauge<'queue'>) {
      const stats = await probe?.().catch(() => undefined);
      for (const queue of stats ?? []) this.set({ queue: queue.queue }, queue[field]);
    };
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
    // Group commit (TRANSACTION_BATCH_MAX > 1): the rate of the duration's sum is how many batches run
    // at once on average; near TRANSACTION_BATCH_CONCURRENCY, units queue behind them.
    transactionBatchUnits: new Histogram({
      name: 'shopflow_transaction_batch_units',
      help: 'Units of work (events handled, requests) per group-commit transaction',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    }),
    transactionBatchDuration: new Histogram({
      name: 'shopflow_transaction_batch_duration_seconds',
      help: 'Time a group-commit batch took, from taking its units (a pooled connection included) to its commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    outboxBacklog: new Gauge({
      name: 'shopflow_outbox_backlog',
      help: 'Outbox rows not yet published, read at scrape time',
      registers,
      collect: fromOutbox('backlog'),
    }),
    outboxOldestUnsentAge: new Gauge({
      name: 'shopflow_outbox_oldest_unsent_age_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when none), read at scrape time',
      registers,
      collect: fromOutbox('oldestAgeSeconds'),
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
    queueMessages: new Gauge({
      name: 'shopflow_queue_messages',
      help: "Messages ready in the service's queues (consumer lag; the dead-letter queue too), read at scrape time",
      labelNames: ['queue'],
      registers,
      collect: fromBroker('messages'),
    }),
    queueConsumers: new Gauge({
      name: 'shopflow_queue_consumers',
      help: "Consumers attached to the service's queues, read at scrape time",
      labelNames: ['queue'],
      registers,
      collect: fromBroker('consumers'),
    }),
    watchQueues(next) {
      probe = next;
    },
    watchOutbox(next) {
      outboxProbe = next;
    },
  };
}
