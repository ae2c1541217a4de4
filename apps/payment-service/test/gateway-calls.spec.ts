import { startGatewaySimulator, type GatewaySimulator } from '@shopflow/gateway-simulator';
import { createEvent, OrderCancelledV1, OrderPlacedV1, type AnyEvent } from '@shopflow/events';
import { createLogger } from '@shopflow/observability';
import { createTestDatabase, createTestVhost, eventually, type TestDatabase, type TestVhost } from '@shopflow/testing';
import amqplib from 'amqplib';
import path from 'node:path';
import pg from 'pg';
import { readConfig } from '../src/config';
import { startService, type RunningService } from '../src/service';

const logger = createLogger({ service: 'payment-service-test', level: process.env['LOG_LEVEL'] ?? 'silent' });

const orderPlaced = (orderId: string = crypto.randomUUID()) =>
  createEvent(
    OrderPlacedV1,
    {
      orderId,
      customerId: 'c-1',
      email: 'ada@example.com',
      items: [{ sku: 'MUG', quantity: 1, unitPrice: { amount: 1250, currency: 'EUR' } }],
      total: { amount: 1250, currency: 'EUR' },
      paymentToken: 'tok_ok',
    },
    { source: 'test' },
  );

/**
 * The processor is a real HTTP server (the gateway simulator) that can be slow, fail or withhold its
 * answers; the service runs with its default prefetch, so several charges are in flight at once.
 */
describe('payment-service and a slow or failing card processor', () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let gateway: GatewaySimulator;
  let service: RunningService;
  let connection: amqplib.ChannelModel;
  let channel: amqplib.ConfirmChannel;
  let observer: pg.Client;
  const published: AnyEvent[] = [];

  const publish = async (event: AnyEvent) => {
    channel.publish('orders', `${event.type}.v${event.version}`, Buffer.from(JSON.stringify(event)), {
      persistent: true,
    });
    await channel.waitForConfirms();
  };
  const emitted = (orderId: string) =>
    published.filter((e) => (e.payload as { orderId?: string }).orderId === orderId).map((e) => e.type);
  const paymentRow = async (orderId: string) =>
    (await observer.query<{ status: string }>('SELECT status::text FROM payments WHERE order_id = $1', [orderId]))
      .rows[0];
  const chargesOf = (orderId: string) => gateway.charges().filter((c) => c.orderId === orderId);

  beforeAll(async () => {
    database = await createTestDatabase({
      prefix: 'payment_gateway',
      prismaConfig: path.join(__dirname, '../prisma.config.ts'),
    });
    vhost = await createTestVhost('payment-gateway');
    gateway = await startGatewaySimulator();
    const config = readConfig({
      DATABASE_URL: database.url,
      AMQP_URL: vhost.url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      PAYMENT_GATEWAY_URL: gateway.url,
      PAYMENT_GATEWAY_TIMEOUT_MS: '300',
      PAYMENT_GATEWAY_BACKOFF_MS: '20',
      // These tests make no HTTP request: the keys of an identity provider that does not exist.
      AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      AUTH_ISSUER: 'http://127.0.0.1:9',
    });
    service = await startService(config, logger);
    observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
    connection = await amqplib.connect(vhost.url);
    channel = await connection.createConfirmChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, 'payments', '#');
    await channel.consume(queue, (m) => m && published.push(JSON.parse(m.content.toString())), { noAck: true });
  }, 60_000);

  afterEach(() => gateway.configure({ latency: { p50Ms: 0, p99Ms: 0 }, failureRate: 0, timeoutRate: 0 }));

  afterAll(async () => {
    await connection?.close();
    await observer?.end();
    await service?.stop();
    await gateway?.close();
    await vhost?.drop();
    await database?.drop();
  });

  it('asks the processor with no transaction open: the attempt is committed before the call', async () => {
    gateway.configure({ latency: { p50Ms: 1500, p99Ms: 1500 } });
    const event = orderPlaced();
    await publish(event);
    await eventually(async () => (await paymentRow(event.payload.orderId))?.status === 'pending', {
      message: 'the pending charge is committed while the processor is still answering',
    });
    expect(chargesOf(event.payload.orderId)).toHaveLength(0);
    const { rows } = await observer.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(rows[0]!.n).toBe(0);
    await eventually(() => emitted(event.payload.orderId).includes('payment.succeeded'), { timeoutMs: 10_000 });
    expect((await paymentRow(event.payload.orderId))?.status).toBe('succeeded');
  });

  it('charges once when the processor carries out a charge but its answer never comes', async () => {
    // Every request is carried out and its answer (a replay's too) withheld past the client's 300 ms
    // timeout, through the client's own attempts and the consumer's redelivery; every attempt carries
    // the payment's key, so the processor charges once.
    gateway.configure({ timeoutRate: 1, hangMs: 5_000 });
    const event = orderPlaced();
    const requestsBefore = gateway.requestsReceived('POST /v1/charges');
    await publish(event);
    // More requests than one delivery's three attempts: the message came back through the retry queue.
    await eventually(() => gateway.requestsReceived('POST /v1/charges') - requestsBefore > 3, { timeoutMs: 15_000 });
    gateway.configure({ timeoutRate: 0 });
    await eventually(() => emitted(event.payload.orderId).includes('payment.succeeded'), { timeoutMs: 20_000 });
    expect(chargesOf(event.payload.orderId)).toHaveLength(1);
    expect(emitted(event.payload.orderId)).toEqual(['payment.succeeded']);
  });

  it('keeps retrying through an outage and then charges once', async () => {
    gateway.configure({ failureRate: 1 });
    const event = orderPlaced();
    await publish(event);
    await eventually(async () => (await paymentRow(event.payload.orderId))?.status === 'pending');
    gateway.configure({ failureRate: 0 });
    await eventually(() => emitted(event.payload.orderId).includes('payment.succeeded'), { timeoutMs: 20_000 });
    expect(chargesOf(event.payload.orderId)).toHaveLength(1);
  });

  it('refunds a charge whose order was cancelled while the processor was charging it', async () => {
    gateway.configure({ latency: { p50Ms: 800, p99Ms: 800 } });
    const placed = orderPlaced();
    const { orderId } = placed.payload;
    await publish(placed);
    await eventually(async () => (await paymentRow(orderId))?.status === 'pending');
    await publish(
      createEvent(
        OrderCancelledV1,
        { orderId, customerId: 'c-1', email: 'ada@example.com', reason: 'out_of_stock' },
        { source: 'test' },
      ),
    );
    await eventually(() => emitted(orderId).includes('payment.refunded'), { timeoutMs: 15_000 });
    expect(emitted(orderId)).toEqual(['payment.succeeded', 'payment.refunded']);
    expect((await paymentRow(orderId))?.status).toBe('refunded');
    const [charge] = chargesOf(orderId);
    expect(gateway.refunds().filter((r) => r.charge === charge?.id)).toHaveLength(1);
  });
});
