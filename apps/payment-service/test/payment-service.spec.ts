import { startGatewaySimulator, type GatewaySimulator } from '@shopflow/gateway-simulator';
import { createEvent, OrderCancelledV1, OrderPlacedV1, type AnyEvent } from '@shopflow/events';
import { startTestIdentityProvider, type Caller, type TestIdentityProvider } from '@shopflow/identity-provider';
import { createLogger } from '@shopflow/observability';
import { createTestDatabase, createTestVhost, eventually, type TestDatabase, type TestVhost } from '@shopflow/testing';
import amqplib from 'amqplib';
import path from 'node:path';
import { readConfig } from '../src/config';
import { startService, type RunningService } from '../src/service';

const logger = createLogger({ service: 'payment-service-test', level: process.env['LOG_LEVEL'] ?? 'silent' });

function orderPlaced(paymentToken: string, orderId: string = crypto.randomUUID()) {
  return createEvent(
    OrderPlacedV1,
    {
      orderId,
      customerId: 'c-1',
      email: 'ada@example.com',
      items: [{ sku: 'MUG', quantity: 2, unitPrice: { amount: 1250, currency: 'EUR' } }],
      total: { amount: 2500, currency: 'EUR' },
      paymentToken,
    },
    { source: 'test' },
  );
}

const orderCancelled = (orderId: string) =>
  createEvent(
    OrderCancelledV1,
    { orderId, customerId: 'c-1', email: 'ada@example.com', reason: 'out_of_stock' },
    { source: 'test' },
  );

describe('payment-service', () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let service: RunningService;
  let gateway: GatewaySimulator;
  let identity: TestIdentityProvider;
  let connection: amqplib.ChannelModel;
  let channel: amqplib.ConfirmChannel;
  const published: AnyEvent[] = [];

  const publish = async (event: AnyEvent, routingKey: string) => {
    channel.publish('orders', routingKey, Buffer.from(JSON.stringify(event)), { persistent: true });
    await channel.waitForConfirms();
  };
  const SUPPORT: Caller = { sub: 'support-1', scope: 'admin' };
  /** GET on the service's API, by default as support (who may read payments). */
  const get = async (path: string, as: Caller = SUPPORT) =>
    fetch(`http://127.0.0.1:${service.port}${path}`, { headers: await identity.authorization(as) });
  const payments = async (orderId: string) => {
    const res = await get(`/payments?orderId=${orderId}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string; amount: number; currency: string; failureReason: string | null }[];
  };
  const emittedFor = (orderId: string) =>
    published.filter((e) => (e.payload as { orderId?: string }).orderId === orderId).map((e) => e.type);

  beforeAll(async () => {
    database = await createTestDatabase({
      prefix: 'payment',
      prismaConfig: path.join(__dirname, '../prisma.config.ts'),
    });
    vhost = await createTestVhost('payment');
    gateway = await startGatewaySimulator();
    identity = await startTestIdentityProvider();
    // One message at a time, in queue order: "the cancellation arrived before it" must mean handled
    // before it, not merely delivered first and then raced for the order's lock.
    const config = readConfig({
      DATABASE_URL: database.url,
      AMQP_URL: vhost.url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      PREFETCH: '1',
      PAYMENT_GATEWAY_URL: gateway.url,
      AUTH_JWKS_URL: identity.jwksUrl,
      AUTH_ISSUER: identity.issuer,
    });
    service = await startService(config, logger);

    connection = await amqplib.connect(vhost.url);
    channel = await connection.createConfirmChannel();
    await channel.assertExchange('payments', 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, 'payments', '#');
    await channel.consume(queue, (m) => m && published.push(JSON.parse(m.content.toString())), { noAck: true });
  }, 60_000);

  afterAll(async () => {
    await connection?.close();
    await service?.stop();
    await gateway?.close();
    await identity?.close();
    await vhost?.drop();
    await database?.drop();
  });

  it('charges an order paid with tok_ok and says so', async () => {
    const event = orderPlaced('tok_ok');
    await publish(event, OrderPlacedV1.routingKey);
    await eventually(() => emittedFor(event.payload.orderId).includes('payment.succeeded'));
    expect(await payments(event.payload.orderId)).toMatchObject([
      { status: 'succeeded', amount: 2500, currency: 'EUR' },
    ]);
    const succeeded = published.find(
      (e) => e.type === 'payment.succeeded' && e.payload.orderId === event.payload.orderId,
    )!;
    expect(succeeded.correlationId).toBe(event.correlationId);
    expect(succeeded.causationId).toBe(event.id);
  });

  it.each([
    ['tok_declined', 'declined'],
    ['tok_insufficient_funds', 'insufficient_funds'],
    ['tok_unknown_card', 'declined'],
  ])('fails a payment with %s: %s', async (token, reason) => {
    const event = orderPlaced(token);
    await publish(event, OrderPlacedV1.routingKey);
    await eventually(() => emittedFor(event.payload.orderId).includes('payment.failed'));
    const failed = published.find((e) => e.type === 'payment.failed' && e.payload.orderId === event.payload.orderId);
    expect(failed?.payload).toMatchObject({ reason });
    expect(await payments(event.payload.orderId)).toMatchObject([{ status: 'failed', failureReason: reason }]);
  });

  it('never charges an order twice, for a redelivery or a second order.placed', async () => {
    const first = orderPlaced('tok_ok');
    const again = orderPlaced('tok_ok', first.payload.orderId);
    await publish(first, OrderPlacedV1.routingKey);
    await publish(first, OrderPlacedV1.routingKey);
    await publish(again, OrderPlacedV1.routingKey);
    // A marker order published last: once it is handled, the three before it were too (one queue, in order).
    const marker = orderPlaced('tok_ok');
    await publish(marker, OrderPlacedV1.routingKey);
    await eventually(() => emittedFor(marker.payload.orderId).includes('payment.succeeded'));
    await eventually(async () => (await payments(first.payload.orderId)).length === 1);
    expect(emittedFor(first.payload.orderId)).toEqual(['payment.succeeded']);
  });

  it('refunds a charged order that gets cancelled', async () => {
    const placed = orderPlaced('tok_ok');
    await publish(placed, OrderPlacedV1.routingKey);
    await eventually(() => emittedFor(placed.payload.orderId).includes('payment.succeeded'));
    await publish(orderCancelled(placed.payload.orderId), OrderCancelledV1.routingKey);
    await eventually(() => emittedFor(placed.payload.orderId).includes('payment.refunded'));
    expect(await payments(placed.payload.orderId)).toMatchObject([{ status: 'refunded', amount: 2500 }]);
  });

  it('never charges an order whose cancellation arrived before it', async () => {
    const placed = orderPlaced('tok_ok');
    await publish(orderCancelled(placed.payload.orderId), OrderCancelledV1.routingKey);
    await publish(placed, OrderPlacedV1.routingKey);
    const marker = orderPlaced('tok_ok');
    await publish(marker, OrderPlacedV1.routingKey);
    await eventually(() => emittedFor(marker.payload.orderId).includes('payment.succeeded'));
    expect(await payments(placed.payload.orderId)).toEqual([]);
    expect(emittedFor(placed.payload.orderId)).toEqual([]);
  });

  it('answers a bad query with a 400 problem', async () => {
    const res = await get('/payments?orderId=nope');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('is ready when its database and broker are', async () => {
    const res = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
    expect(res.status).toBe(200);
  });

  it('counts each handled order.placed on GET /metrics', async () => {
    const handledOrderPlaced = async () => {
      const res = await fetch(`http://127.0.0.1:${service.port}/metrics`);
      expect(res.status).toBe(200);
      const line =
        /^shopflow_events_consumed_total\{event_type="order\.placed",outcome="handled",service="payment-service"\} (\d+)$/m;
      return Number(line.exec(await res.text())?.[1] ?? 0);
    };
    const before = await handledOrderPlaced();
    const event = orderPlaced('tok_ok');
    await publish(event, OrderPlacedV1.routingKey);
    await eventually(() => emittedFor(event.payload.orderId).includes('payment.succeeded'));
    await eventually(async () => (await handledOrderPlaced()) === before + 1, { message: 'order.placed counted once' });
  });

  it('GET /payments: 401 without a token, 403 without the admin scope (a customer too), and done with it', async () => {
    const path = `/payments?orderId=${crypto.randomUUID()}`;
    const anonymous = await get(path, 'anonymous');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="shopflow"');
    expect((await get(path, { sub: 'c-1', scope: 'orders catalog:write' })).status).toBe(403);
    expect((await get(path, SUPPORT)).status).toBe(200);
    for (const [kind, authorization] of Object.entries(await identity.badCredentials())) {
      const res = await fetch(`http://127.0.0.1:${service.port}${path}`, {
        headers: authorization ? { authorization } : {},
      });
      expect({ kind, status: res.status }).toEqual({ kind, status: 401 });
    }
  });
});
