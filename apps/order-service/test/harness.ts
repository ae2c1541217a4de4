import {
  ALL_EVENTS,
  createEvent,
  findEventDefinition,
  InventoryProductUpdatedV1,
  InventoryReservationFailedV1,
  InventoryReservedV1,
  PaymentFailedV1,
  PaymentSucceededV1,
  parseEvent,
  type Envelope,
  type EventOf,
  type OrderPlacedV1,
} from '@shopflow/events';
import { startTestIdentityProvider, type Caller, type TestIdentityProvider } from '@shopflow/identity-provider';
import { createLogger } from '@shopflow/observability';
import {
  createTestDatabase,
  createTestVhost,
  eventually,
  outboxEmptied,
  queueMarker,
  type QueueMarker,
  type TestDatabase,
  type TestVhost,
} from '@shopflow/testing';
import amqplib from 'amqplib';
import path from 'node:path';
import pg from 'pg';
import { configSchema, type Config } from '../src/config';
import { startService, type RunningService } from '../src/service';

/** Set LOG_LEVEL=debug to see the service's logs while a test runs. */
export const silentLogger = createLogger({ service: 'order-service', level: process.env['LOG_LEVEL'] ?? 'silent' });

export type Placed = EventOf<typeof OrderPlacedV1>;

export interface Product {
  sku: string;
  price: number;
  currency?: string;
  name?: string;
  available?: number;
}

export type { Caller };

export interface HttpAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests check the shape themselves
  body: any;
}

/**
 * One order-service against its own database and vhost, with a test queue bound to everything on
 * the `orders` exchange and a channel to play inventory, payment and notification by hand.
 */
export class OrderServiceUnderTest {
  /** Every event published on the `orders` exchange, in arrival order. */
  readonly published: Envelope[] = [];
  readonly replicas: RunningService[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly vhost: TestVhost,
    readonly sql: pg.Client,
    readonly identity: TestIdentityProvider,
    private readonly connection: amqplib.ChannelModel,
    private readonly channel: amqplib.ConfirmChannel,
    private readonly config: Config,
    private readonly marker: QueueMarker,
  ) {}

  static async start(prefix: string, overrides: Partial<Config> = {}): Promise<OrderServiceUnderTest> {
    const [database, vhost, identity] = await Promise.all([
      createTestDatabase({ prefix, prismaConfig: path.join(__dirname, '../prisma.config.ts') }),
      createTestVhost(prefix),
      startTestIdentityProvider(),
    ]);
    const connection = await amqplib.connect(vhost.url);
    const channel = await connection.createConfirmChannel();
    for (const exchange of ['orders', 'inventory', 'payments', 'notifications']) {
      await channel.assertExchange(exchange, 'topic', { durable: true });
    }
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, 'orders', '#');

    const config = {
      ...configSchema.parse({
        DATABASE_URL: database.url,
        AMQP_URL: vhost.url,
        AUTH_JWKS_URL: identity.jwksUrl,
        AUTH_ISSUER: identity.issuer,
      }),
      PORT: 0,
      // Here no saga finishes unless a test plays the other services, so the backlog only grows:
      // admission control would refuse orders mid-test. Off unless a test sets its bounds.
      ADMISSION_MAX_PENDING_ORDERS: 0,
      ADMISSION_MAX_PENDING_AGE_MS: 0,
      ...overrides,
    };
    const marker = queueMarker(channel, queue);
    const env = new OrderServiceUnderTest(
      database,
      vhost,
      new pg.Client(database.url),
      identity,
      connection,
      channel,
      config,
      marker,
    );
    await channel.consume(queue, (message) => {
      if (!message || marker.isMarker(message)) return;
      const parsed = parseEvent(message.content);
      if (parsed.ok) env.published.push(parsed.event);
    });
    await env.startReplica();
    await env.sql.connect();
    return env;
  }

  /** Starts one more instance of the service on the same database and vhost. */
  async startReplica(): Promise<RunningService> {
    const replica = await startService(this.config, silentLogger);
    this.replicas.push(replica);
    return replica;
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.stop()));
    await this.connection.close();
    await this.sql.end();
    await this.vhost.drop();
    await this.database.drop();
    await this.identity.close();
  }

  /**
   * A request to the first replica. By default from a caller allowed all a test needs: the customer
   * the body names (else cust-1), who is support (`admin`) too; authorization tests pass `as`.
   */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as?: Caller) {
    const replica = this.replicas[0]!;
    const caller = as ?? { sub: customerNamedIn(body) ?? 'cust-1', scope: 'orders admin' };
    const authorization = await this.identity.authorization(caller);
    const response = await fetch(`http://127.0.0.1:${replica.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...authorization, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
    } as HttpAnswer;
  }

  /** Publishes events as their owning service would (to its exchange, persistent, confirmed). */
  async publish(...events: Envelope[]): Promise<void> {
    for (const event of events) {
      const definition = findEventDefinition(ALL_EVENTS, event.type, event.version)!;
      this.channel.publish(definition.exchange, definition.routingKey, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        messageId: event.id,
        contentType: 'application/json',
      });
    }
    await this.channel.waitForConfirms();
  }

  /** Feeds the local catalog as inventory-service would, and waits until the service has taken it in. */
  async seedCatalog(...products: Product[]): Promise<void> {
    await this.publish(...products.map((product) => productUpdated(product)));
    await eventually(
      async () => {
        const { rows } = await this.sql.query<{ sku: string; price: number }>(
          'SELECT sku, price FROM catalog_products WHERE sku = ANY($1)',
          [products.map((p) => p.sku)],
        );
        return products.every((p) => rows.some((row) => row.sku === p.sku && row.price === p.price));
      },
      { message: 'catalog seeded' },
    );
  }

  /** Places a valid order over HTTP and returns its order.placed event, once published. */
  async placeOrder(headers: Record<string, string> = {}): Promise<Placed> {
    const res = await this.request('POST', '/orders', orderRequest(), headers);
    if (res.status !== 201) throw new Error(`POST /orders answered ${res.status}: ${JSON.stringify(res.body)}`);
    return this.placedEvent(res.body.id);
  }

  /** The order.placed event of an order, once published. */
  placedEvent(orderId: string): Promise<Placed> {
    return this.waitForEvent('order.placed', orderId) as Promise<Placed>;
  }

  waitForEvent(type: string, orderId: string): Promise<Envelope> {
    return eventually(
      () => {
        const event = this.eventsOf(orderId).find((e) => e.type === type);
        if (!event) throw new Error(`no ${type} for order ${orderId} yet`);
        return event;
      },
      { message: `${type} published` },
    );
  }

  eventsOf(orderId: string): Envelope[] {
    return this.published.filter((e) => (e.payload as { orderId?: string }).orderId === orderId);
  }

  /** Polls GET /orders/:id until `probe` accepts the order; returns it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests check the shape themselves
  orderWhen(orderId: string, probe: (order: any) => boolean, message: string) {
    return eventually(
      async () => {
        const { body } = await this.request('GET', `/orders/${orderId}`);
        if (!probe(body)) throw new Error(`order is ${JSON.stringify(body)}`);
        return body;
      },
      { message },
    );
  }

  /** Steps of an order's timeline, as the API shows them. */
  async steps(orderId: string): Promise<string[]> {
    const { body } = await this.request('GET', `/orders/${orderId}`);
    return (body.timeline as { step: string }[]).map((entry) => entry.step);
  }

  /** How many events of `type` about `orderId` the service has published so far, all received. */
  async emitted(type: string, orderId: string): Promise<number> {
    return (await this.publishedSoFar()).filter(
      (event) => event.type === type && (event.payload as { orderId?: string }).orderId === orderId,
    ).length;
  }

  /** Every event the service has published so far, once the outbox is empty and all of them were received. */
  async publishedSoFar(): Promise<Envelope[]> {
    await outboxEmptied(this.database.url);
    await this.marker.settle();
    return [...this.published];
  }
}

function customerNamedIn(body: unknown): string | undefined {
  const customerId = (body as { customerId?: unknown } | undefined)?.customerId;
  return typeof customerId === 'string' ? customerId : undefined;
}

export function productUpdated(product: Product, occurredAt?: Date) {
  const event = createEvent(
    InventoryProductUpdatedV1,
    {
      sku: product.sku,
      name: product.name ?? product.sku,
      price: product.price,
      currency: product.currency ?? 'EUR',
      available: product.available ?? 100,
    },
    { source: 'inventory-service' },
  );
  return occurredAt ? { ...event, occurredAt: occurredAt.toISOString() } : event;
}

export const orderRequest = (overrides: Record<string, unknown> = {}) => ({
  customerId: 'cust-1',
  email: 'ada@example.com',
  items: [{ sku: 'TSHIRT-M', quantity: 2 }],
  paymentToken: 'tok_visa',
  ...overrides,
});

const items = (placed: Placed) => placed.payload.items.map(({ sku, quantity }) => ({ sku, quantity }));

export const reserved = (placed: Placed) =>
  createEvent(
    InventoryReservedV1,
    { orderId: placed.payload.orderId, items: items(placed) },
    {
      source: 'inventory-service',
      causedBy: placed,
    },
  );

export const reservationFailed = (placed: Placed, reason: 'out_of_stock' | 'unknown_item' = 'out_of_stock') =>
  createEvent(
    InventoryReservationFailedV1,
    {
      orderId: placed.payload.orderId,
      reason,
      items: items(placed).map(({ sku, quantity }) => ({ sku, requested: quantity, available: 0 })),
    },
    { source: 'inventory-service', causedBy: placed },
  );

export const paymentSucceeded = (placed: Placed) =>
  createEvent(
    PaymentSucceededV1,
    { orderId: placed.payload.orderId, paymentId: crypto.randomUUID(), amount: placed.payload.total },
    { source: 'payment-service', causedBy: placed },
  );

export const paymentFailed = (placed: Placed, reason: 'declined' | 'insufficient_funds' = 'declined') =>
  createEvent(
    PaymentFailedV1,
    { orderId: placed.payload.orderId, reason, amount: placed.payload.total },
    { source: 'payment-service', causedBy: placed },
  );
