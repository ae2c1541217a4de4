import { PaymentSucceededV1 } from '@shopflow/events';
import { createServiceMetrics, type ServiceMetrics } from '@shopflow/observability';
import { createTestDatabase, createTestVhost, eventually, type TestDatabase, type TestVhost } from '@shopflow/testing';
import { appendToOutbox, BrokerConnection, EventConsumer, EventPublisher, on, OutboxRelay } from '../src';
import { Database, sql } from '@shopflow/postgres';
import { inspector, paymentSucceeded, PRISMA_CONFIG, testLogger } from './harness';

/** The value of one series, 0 if it was never touched. */
async function valueOf(metrics: ServiceMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  // Counters and gauges have one sample per series; a histogram is counted by its `_count` samples.
  const series = (values as { value: number; labels: Record<string, unknown>; metricName?: string }[]).filter(
    (v) =>
      (v.metricName === undefined || v.metricName === `${name}_count`) &&
      Object.entries(labels).every(([k, want]) => v.labels[k] === want),
  );
  return series.reduce((sum, v) => sum + v.value, 0);
}

describe('messaging metrics on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let broker: BrokerConnection;
  let publisher: EventPublisher;
  let consumer: EventConsumer | undefined;
  let metrics: ServiceMetrics;
  let look: Awaited<ReturnType<typeof inspector>>;

  beforeEach(async () => {
    metrics = createServiceMetrics('test-service', { defaultMetrics: false });
    vhost = await createTestVhost('metrics');
    broker = new BrokerConnection({ url: vhost.url, connectionName: 'metrics-test', logger: testLogger() });
    publisher = new EventPublisher(broker, [PaymentSucceededV1], { metrics });
    look = await inspector(vhost.url);
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await publisher.close();
    await look.close();
    await broker.close();
    await vhost.drop();
  });

  it('reports the depth and consumers of its queues when scraped (consumer lag)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    consumer = new EventConsumer(broker, {
      service: 'test-service',
      purpose: 'payments',
      prefetch: 1,
      handlers: [
        on(PaymentSucceededV1, async () => {
          started += 1;
          await gate;
        }),
      ],
      logger: testLogger(),
      metrics,
    });
    const running = consumer;
    metrics.watchQueues(() => running.queueStats());
    await consumer.start();
    for (let i = 0; i < 4; i++) {
      await publisher.publish({
        exchange: 'payments',
        routingKey: PaymentSucceededV1.routingKey,
        event: paymentSucceeded(),
      });
    }
    await eventually(() => started === 1, { message: 'first delivery in flight' });

    // One delivered and held (prefetch 1), three waiting: the lag.
    expect(await valueOf(metrics, 'shopflow_queue_messages', { queue: running.names.queue })).toBe(3);
    expect(await valueOf(metrics, 'shopflow_queue_consumers', { queue: running.names.queue })).toBe(1);
    expect(await valueOf(metrics, 'shopflow_queue_messages', { queue: running.names.deadLetterQueue })).toBe(0);
    release();
    await eventually(
      async () => (await valueOf(metrics, 'shopflow_queue_messages', { queue: running.names.queue })) === 0,
      {
        message: 'lag back to 0',
      },
    );
  });

  it('counts a handled, a retried-then-handled and two invalid deliveries exactly', async () => {
    const good = paymentSucceeded();
    const flaky = paymentSucceeded();
    let flakyAttempts = 0;
    const handled = new Set<string>();
    consumer = new EventConsumer(broker, {
      service: 'test-service',
      purpose: 'payments',
      handlers: [
        on(PaymentSucceededV1, async (event) => {
          if (event.id === flaky.id && ++flakyAttempts === 1) throw new Error('transient failure');
          handled.add(event.id);
        }),
      ],
      logger: testLogger(),
      retry: { maxAttempts: 3, initialDelayMs: 50, multiplier: 2 },
      metrics,
    });
    const { names } = consumer;
    await consumer.start();

    for (const event of [good, flaky]) {
      await publisher.publish({ exchange: 'payments', routingKey: PaymentSucceededV1.routingKey, event });
    }
    // Malformed JSON: no type to read. A known type with a bad payload: labelled with its type.
    look.channel.publish('payments', PaymentSucceededV1.routingKey, Buffer.from('{not json'));
    look.channel.publish(
      'payments',
      PaymentSucceededV1.routingKey,
      Buffer.from(JSON.stringify({ ...paymentSucceeded(), payload: { orderId: 42 } })),
    );
    await look.channel.waitForConfirms();

    await eventually(async () => handled.size === 2 && (await look.count(names.deadLetterQueue)) === 2, {
      message: 'two events handled and two messages dead-lettered',
    });
    // The counter follows the ack: wait until all five deliveries are counted, then check exact values.
    const consumed = 'shopflow_events_consumed_total';
    await eventually(async () => (await valueOf(metrics, consumed)) === 5, { message: 'five settled deliveries' });

    const type = 'payment.succeeded';
    expect(await valueOf(metrics, consumed, { event_type: type, outcome: 'handled' })).toBe(2);
    expect(await valueOf(metrics, consumed, { event_type: type, outcome: 'retried' })).toBe(1);
    expect(await valueOf(metrics, consumed, { event_type: type, outcome: 'dead_lettered' })).toBe(1);
    expect(await valueOf(metrics, consumed, { event_type: 'unknown', outcome: 'dead_lettered' })).toBe(1);
    expect(await valueOf(metrics, 'shopflow_events_published_total', { event_type: type })).toBe(2);
    // Three handler runs: the good one, the failed attempt and the successful retry.
    expect(await valueOf(metrics, 'shopflow_event_handler_duration_seconds', { event_type: type })).toBe(3);

    const text = await metrics.registry.getSingleMetricAsString(consumed);
    expect(text).toContain(`${consumed}{event_type="payment.succeeded",outcome="handled",service="test-service"} 2`);
    expect(text).toContain(`${consumed}{event_type="unknown",outcome="dead_lettered",service="test-service"} 1`);
  });
});

describe('outbox metrics on a real PostgreSQL', () => {
  let database: TestDatabase;
  let db: Database;
  let vhost: TestVhost;
  let broker: BrokerConnection;

  beforeEach(async () => {
    database = await createTestDatabase({ prefix: 'outboxmetrics', prismaConfig: PRISMA_CONFIG });
    db = new Database({ url: database.url });
    vhost = await createTestVhost('outboxmetrics');
    broker = new BrokerConnection({ url: vhost.url, connectionName: 'outbox-metrics-test', logger: testLogger() });
  });

  afterEach(async () => {
    await broker.close();
    await vhost.drop();
    await db.close();
    await database.drop();
  });

  it('measures the backlog and the age of the oldest unsent row when scraped', async () => {
    const metrics = createServiceMetrics('test-service', { defaultMetrics: false });
    const backlog = () => valueOf(metrics, 'shopflow_outbox_backlog');
    const oldestAge = () => valueOf(metrics, 'shopflow_outbox_oldest_unsent_age_seconds');
    await db.transaction(async (tx) => appendToOutbox(tx, [paymentSucceeded(), paymentSucceeded()]));
    expect(await db.execute(sql`UPDATE outbox_events SET created_at = ${new Date(Date.now() - 60_000)}`)).toBe(2);

    // A broker that refuses everything: the rows stay unsent and are measured.
    const refusing = {
      publish: async () => {
        throw new Error('broker refuses');
      },
    } as unknown as EventPublisher;
    const stuck = new OutboxRelay({
      db,
      publisher: refusing,
      logger: testLogger(),
      pollIntervalMs: 50,
      metrics,
    });
    stuck.start();
    await eventually(async () => (await backlog()) === 2, { message: 'backlog of 2 measured' });
    expect(await oldestAge()).toBeGreaterThanOrEqual(60);
    expect(await oldestAge()).toBeLessThan(120);
    await stuck.stop();

    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    const relay = new OutboxRelay({ db, publisher, logger: testLogger(), pollIntervalMs: 50, metrics });
    relay.start();
    await eventually(async () => (await backlog()) === 0 && (await oldestAge()) === 0, {
      message: 'backlog drained and measured empty',
    });
    await relay.stop();
    await publisher.close();
  });
});
