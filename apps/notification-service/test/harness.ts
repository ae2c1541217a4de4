import {
  ALL_EVENTS,
  createEvent,
  findEventDefinition,
  NotificationSentV1,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  type CancellationReason,
  type Envelope,
  type EventOf,
} from '@shopflow/events';
import { createLogger, type Logger } from '@shopflow/observability';
import { createTestDatabase, createTestVhost, eventually, type TestDatabase, type TestVhost } from '@shopflow/testing';
import amqplib from 'amqplib';
import path from 'node:path';
import { readConfig, type Config } from '../src/config';
import { startService, type RunningService } from '../src/service';
import { startTestIdentityProvider, type Caller, type TestIdentityProvider } from '@shopflow/identity-provider';
import { type NotificationTemplate } from '../src/domain/email-templates';
import { startSmtpSink, type ReceivedMail as ReceivedEmail, type SmtpSink } from '@shopflow/testing';

/** Set LOG_LEVEL=debug to see the service's logs while a test runs. */
export const silentLogger = () =>
  createLogger({ service: 'notification-test', level: process.env['LOG_LEVEL'] ?? 'silent' });

/** A logger whose lines (warnings and worse, unless told) the test can read. */
export function capturingLogger(level: 'info' | 'warn' = 'warn'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { logger: createLogger({ service: 'notification-test', level, destination }), lines };
}

/** The environment's SMTP server refuses every mailbox of this domain for good (550). */
export const REFUSED_DOMAIN = 'refused.example';

/** A database, a vhost, an SMTP sink and an identity provider of the test file's own; `drop` removes them all. */
export interface TestEnvironment {
  database: TestDatabase;
  vhost: TestVhost;
  sink: SmtpSink;
  identity: TestIdentityProvider;
  /** The service's config for this environment, as `startService` takes it. */
  config(overrides?: Partial<Config>): Config;
  drop(): Promise<void>;
}

export async function createTestEnvironment(prefix: string): Promise<TestEnvironment> {
  const [database, vhost, sink, identity] = await Promise.all([
    createTestDatabase({ prefix, prismaConfig: path.join(__dirname, '../prisma.config.ts') }),
    createTestVhost(prefix),
    startSmtpSink({ refuse: (recipient) => recipient.endsWith(`@${REFUSED_DOMAIN}`) }),
    startTestIdentityProvider(),
  ]);
  return {
    database,
    vhost,
    sink,
    identity,
    config: (overrides = {}) => ({
      ...readConfig({
        DATABASE_URL: database.url,
        AMQP_URL: vhost.url,
        AUTH_JWKS_URL: identity.jwksUrl,
        AUTH_ISSUER: identity.issuer,
      }),
      PORT: 0,
      SMTP_PORT: sink.port,
      ...overrides,
    }),
    drop: async () => {
      await Promise.all([database.drop(), vhost.drop(), sink.close(), identity.close()]);
    },
  };
}

const customer = (email: string) => ({ customerId: 'cust-42', email });

export function orderPlaced(orderId: string = crypto.randomUUID(), email = 'ada@example.com') {
  return createEvent(
    OrderPlacedV1,
    {
      orderId,
      ...customer(email),
      items: [
        { sku: 'MUG-01', quantity: 2, unitPrice: { amount: 1250, currency: 'EUR' } },
        { sku: 'TEE-XL', quantity: 1, unitPrice: { amount: 1999, currency: 'EUR' } },
      ],
      total: { amount: 4499, currency: 'EUR' },
      paymentToken: 'tok_visa_4242',
    },
    { source: 'order-service' },
  );
}

export function orderConfirmed(orderId: string, email = 'ada@example.com') {
  return createEvent(
    OrderConfirmedV1,
    { orderId, ...customer(email), total: { amount: 4499, currency: 'EUR' } },
    { source: 'order-service' },
  );
}

export function orderCancelled(orderId: string, reason: CancellationReason, email = 'ada@example.com') {
  return createEvent(OrderCancelledV1, { orderId, ...customer(email), reason }, { source: 'order-service' });
}

/** Publishes as order-service would: persistent, on the `orders` exchange, with the event's routing key. */
export async function orderPublisher(url: string) {
  const connection = await amqplib.connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertExchange('orders', 'topic', { durable: true });
  return {
    async publish(event: Envelope) {
      const definition = findEventDefinition(ALL_EVENTS, event.type, event.version);
      if (!definition) throw new Error(`no contract for ${event.type} v${event.version}`);
      channel.publish('orders', definition.routingKey, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: 'application/json',
        messageId: event.id,
      });
      await channel.waitForConfirms();
    },
    close: () => connection.close(),
  };
}

/** The service on an environment of its own, with a publisher of order events; `stop` ends and drops all of it. */
export interface ServiceUnderTest {
  env: TestEnvironment;
  service: RunningService;
  orders: Awaited<ReturnType<typeof orderPublisher>>;
  stop(): Promise<void>;
}

export async function startServiceUnderTest(
  prefix: string,
  logger: Logger,
  overrides: Partial<Config> = {},
): Promise<ServiceUnderTest> {
  const env = await createTestEnvironment(prefix);
  const service = await startService(env.config(overrides), logger).catch(async (error: unknown) => {
    await env.drop();
    throw error;
  });
  const stopService = async () => {
    try {
      await service.stop();
    } finally {
      await env.drop();
    }
  };
  const orders = await orderPublisher(env.vhost.url).catch(async (error: unknown) => {
    await stopService();
    throw error;
  });
  return {
    env,
    service,
    orders,
    stop: async () => {
      try {
        await orders.close();
      } finally {
        await stopService();
      }
    },
  };
}

/** Collects every `notification.sent` on the `notifications` exchange, through a queue of the test's own. */
export async function watchNotificationsSent(url: string) {
  const connection = await amqplib.connect(url);
  const channel = await connection.createChannel();
  await channel.assertExchange(NotificationSentV1.exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, NotificationSentV1.exchange, NotificationSentV1.routingKey);
  const received: EventOf<typeof NotificationSentV1>[] = [];
  await channel.consume(queue, (message) => message && received.push(JSON.parse(message.content.toString())), {
    noAck: true,
  });
  return {
    received,
    /** Waits for the `notification.sent` of one e-mail. */
    sentFor: (orderId: string, template: NotificationTemplate) =>
      eventually(
        () => {
          const event = received.find((e) => e.payload.orderId === orderId && e.payload.template === template);
          if (!event) throw new Error(`${received.length} notification.sent, none for ${template} of ${orderId}`);
          return event;
        },
        { message: `notification.sent for ${template}` },
      ),
    close: () => connection.close(),
  };
}

/** The e-mails a sink received about one order and template, told apart by their Message-ID. */
export const emailsAbout = (sink: SmtpSink, orderId: string, template: NotificationTemplate) =>
  sink.messages.filter((m) => m.headers['message-id'] === `<${orderId}.${template}@shopflow>`);

export function receivedEmail(sink: SmtpSink, orderId: string, template: NotificationTemplate, timeoutMs = 10_000) {
  return eventually(
    (): ReceivedEmail => {
      const [email] = emailsAbout(sink, orderId, template);
      if (!email) throw new Error(`${sink.messages.length} e-mails received, none ${template} for ${orderId}`);
      return email;
    },
    { timeoutMs, message: `${template} e-mail` },
  );
}

/** Support and operations, who may read the e-mails sent. */
export const SUPPORT: Caller = { sub: 'support-1', scope: 'admin' };

/** GET on a replica's API, by default as support. */
export async function getJson(
  env: TestEnvironment,
  port: number,
  path: string,
  as: Caller = SUPPORT,
): Promise<{ status: number; type: string; body: unknown; challenge: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: await env.identity.authorization(as) });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.json(),
    challenge: response.headers.get('www-authenticate'),
  };
}
