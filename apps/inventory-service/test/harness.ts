import {
  ALL_EVENTS,
  createEvent,
  findEventDefinition,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  type Envelope,
  type EventDefinition,
  type EventOf,
} from '@shopflow/events';
import { type Caller, type TestIdentityProvider } from '@shopflow/identity-provider';
import { createLogger, type Logger } from '@shopflow/observability';
import { eventually, queueMarker } from '@shopflow/testing';
import amqplib from 'amqplib';
import path from 'node:path';
import { readConfig, type Config } from '../src/config';

const SOURCE = 'inventory-test';

/** The service's Prisma project: createTestDatabase migrates a test's database with it, as the migration step does. */
export const PRISMA_CONFIG = path.join(__dirname, '../prisma.config.ts');

/** For tests that make no HTTP request: the keys of an identity provider that does not exist. */
const NO_IDENTITY_PROVIDER = { jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json', issuer: 'http://127.0.0.1:9' };

export function testConfig(
  urls: { database: string; amqp: string; identity?: { jwksUrl: string; issuer: string } },
  overrides: Partial<Config> = {},
): Config {
  const identity = urls.identity ?? NO_IDENTITY_PROVIDER;
  return {
    ...readConfig({
      DATABASE_URL: urls.database,
      AMQP_URL: urls.amqp,
      SEED_CATALOG: 'false',
      AUTH_JWKS_URL: identity.jwksUrl,
      AUTH_ISSUER: identity.issuer,
    }),
    PORT: 0,
    ...overrides,
  };
}

const WARN = 40; // pino's numeric level

/**
 * A silent service logger that keeps the handlers' outcome lines, so a test can wait until an
 * event was handled even when handling it changes nothing (a duplicate, an ignored order).
 * Warnings and errors are kept too: a handler that failed and was retried logs one.
 * Set LOG_LEVEL=debug to see the service's logs too.
 */
export function recordingLogger(): { logger: Logger; outcomes: (eventId: string) => string[]; problems: string[] } {
  const outcomes = new Map<string, string[]>();
  const problems: string[] = [];
  const echo = process.env['LOG_LEVEL'];
  const logger = createLogger({
    service: 'inventory-service',
    // The outcome lines are info: never record less, whatever LOG_LEVEL says.
    level: echo === 'debug' || echo === 'trace' ? echo : 'info',
    destination: {
      write(line: string) {
        if (echo) process.stdout.write(line);
        const { eventId, outcome, level, msg } = JSON.parse(line) as {
          eventId?: string;
          outcome?: string;
          level: number;
          msg: string;
        };
        if (eventId && outcome) outcomes.set(eventId, [...(outcomes.get(eventId) ?? []), outcome]);
        if (level >= WARN) problems.push(msg);
      },
    },
  });
  return { logger, outcomes: (eventId) => outcomes.get(eventId) ?? [], problems };
}

type Line = { sku: string; quantity: number };

const customer = { customerId: 'customer-1', email: 'ada@example.com' };

export function orderPlaced(items: Line[], orderId: string = crypto.randomUUID()) {
  const lines = items.map((line) => ({ ...line, unitPrice: { amount: 1000, currency: 'EUR' } }));
  const total = { amount: 1000 * items.reduce((sum, line) => sum + line.quantity, 0), currency: 'EUR' };
  return createEvent(
    OrderPlacedV1,
    { orderId, ...customer, items: lines, total, paymentToken: 'tok_visa' },
    { source: SOURCE },
  );
}

export const orderCancelled = (orderId: string) =>
  createEvent(OrderCancelledV1, { orderId, ...customer, reason: 'payment_declined' }, { source: SOURCE });

export const orderConfirmed = (orderId: string) =>
  createEvent(OrderConfirmedV1, { orderId, ...customer, total: { amount: 1000, currency: 'EUR' } }, { source: SOURCE });

/** Publishes events as order-service would: to its exchange, with their routing key, confirmed. */
export async function orderService(url: string) {
  const connection = await amqplib.connect(url);
  const channel = await connection.createConfirmChannel();
  return {
    async publish(...events: Envelope[]): Promise<void> {
      for (const event of events) {
        const definition = findEventDefinition(ALL_EVENTS, event.type, event.version)!;
        await channel.assertExchange(definition.exchange, 'topic', { durable: true });
        channel.publish(definition.exchange, definition.routingKey, Buffer.from(JSON.stringify(event)), {
          persistent: true,
          contentType: 'application/json',
          messageId: event.id,
        });
      }
      await channel.waitForConfirms();
    },
    close: () => connection.close(),
  };
}

/** Everything published to the `inventory` exchange from the moment it is bound. */
export async function inventoryTap(url: string) {
  const connection = await amqplib.connect(url);
  const channel = await connection.createChannel();
  await channel.assertExchange('inventory', 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, 'inventory', '#');
  const received: Envelope[] = [];
  const marker = queueMarker(channel, queue);
  await channel.consume(
    queue,
    (message) => message && !marker.isMarker(message) && received.push(JSON.parse(message.content.toString())),
    { noAck: true },
  );
  return {
    /** The received events of one definition that match. */
    events<D extends EventDefinition>(definition: D, match: (event: EventOf<D>) => boolean = () => true): EventOf<D>[] {
      return received
        .filter((event) => event.type === definition.type && event.version === definition.version)
        .map((event) => event as EventOf<D>)
        .filter(match);
    },
    /** Waits until `count` matching events arrived, and returns them. */
    async waitFor<D extends EventDefinition>(definition: D, match: (event: EventOf<D>) => boolean, count = 1) {
      return eventually(
        () => {
          const found = this.events(definition, match);
          if (found.length < count) throw new Error(`${found.length} of ${count} ${definition.type} received`);
          return found;
        },
        { message: `waiting for ${definition.type}` },
      );
    },
    /** Resolves once every event already in the tap's queue was received. */
    settle: () => marker.settle(),
    /** Every received event about one order. */
    aboutOrder(orderId: string): Envelope[] {
      return received.filter((event) => (event.payload as { orderId?: string }).orderId === orderId);
    },
    close: () => connection.close(),
  };
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: unknown;
}

/** The shop's staff, who may do everything the product routes offer. */
export const STAFF: Caller = { sub: 'staff-1', scope: 'catalog:write' };

/** The service's HTTP API, as an external client calls it: by default as the shop's staff. */
export function httpClient(port: number, identity: TestIdentityProvider) {
  const call = async (method: string, path: string, body?: unknown, as: Caller = STAFF): Promise<HttpAnswer> => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(await identity.authorization(as)),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: text ? JSON.parse(text) : undefined,
    };
  };
  return {
    get: (path: string, as?: Caller) => call('GET', path, undefined, as),
    put: (path: string, body: unknown, as?: Caller) => call('PUT', path, body, as),
    /** A request with this raw Authorization header (undefined: none). */
    withAuthorization: async (method: string, path: string, authorization: string | undefined, body?: unknown) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, challenge: response.headers.get('www-authenticate') };
    },
  };
}
