import { FAILURE_HEADERS } from '@shopflow/messaging';
import { eventually } from '@shopflow/testing';
import amqplib from 'amqplib';
import { type RunningService } from '../src/service';
import {
  REFUSED_DOMAIN,
  getJson,
  SUPPORT,
  orderCancelled,
  orderConfirmed,
  orderPlaced,
  receivedEmail,
  silentLogger,
  watchNotificationsSent,
  type TestEnvironment,
  startServiceUnderTest,
  type ServiceUnderTest,
} from './harness';

describe('order e-mails, through a real RabbitMQ, PostgreSQL and SMTP server', () => {
  let env: TestEnvironment;
  let service: RunningService;
  let orders: ServiceUnderTest['orders'];
  let sut: ServiceUnderTest;
  let notifications: Awaited<ReturnType<typeof watchNotificationsSent>>;

  beforeAll(async () => {
    sut = await startServiceUnderTest('notif_emails', silentLogger());
    ({ env, service, orders } = sut);
    notifications = await watchNotificationsSent(env.vhost.url);
  }, 60_000);

  afterAll(async () => {
    await notifications?.close();
    await sut?.stop();
  });

  it('sends "order received" to the customer on order.placed, listing the items and the total', async () => {
    const placed = orderPlaced(undefined, 'ada@example.com');
    await orders.publish(placed);

    const email = await receivedEmail(env.sink, placed.payload.orderId, 'order-received');
    expect(email.to).toEqual(['ada@example.com']);
    expect(email.headers).toMatchObject({
      from: '"shopflow" <orders@shopflow.local>',
      to: 'ada@example.com',
      subject: `We received your order #${placed.payload.orderId.slice(0, 8).toUpperCase()}`,
    });
    expect(email.text).toContain('2 × MUG-01   €12.50 each   €25.00');
    expect(email.text).toContain('1 × TEE-XL   €19.99 each   €19.99');
    expect(email.text).toContain('Total: €44.99');
    expect(email.text).toContain(placed.payload.orderId);
    expect(email.html).toContain('<td>2 × MUG-01</td>');
  });

  it('sends "order confirmed" on order.confirmed', async () => {
    const confirmed = orderConfirmed(crypto.randomUUID(), 'grace@example.com');
    await orders.publish(confirmed);

    const email = await receivedEmail(env.sink, confirmed.payload.orderId, 'order-confirmed');
    expect(email.to).toEqual(['grace@example.com']);
    expect(email.headers['subject']).toMatch(/^Your order #[0-9A-F]{8} is confirmed$/);
    expect(email.text).toContain('your order is confirmed. Total: €44.99.');
  });

  it('sends "order cancelled" on order.cancelled, with the reason in words', async () => {
    const cancelled = orderCancelled(crypto.randomUUID(), 'insufficient_funds', 'linus@example.com');
    await orders.publish(cancelled);

    const email = await receivedEmail(env.sink, cancelled.payload.orderId, 'order-cancelled');
    expect(email.to).toEqual(['linus@example.com']);
    expect(email.headers['subject']).toMatch(/was cancelled$/);
    expect(email.text).toContain('Your payment was declined because of insufficient funds.');
  });

  it('publishes notification.sent for each e-mail, caused by the order event', async () => {
    const placed = orderPlaced();
    await orders.publish(placed);

    const sent = await notifications.sentFor(placed.payload.orderId, 'order-received');
    expect(sent).toMatchObject({
      type: 'notification.sent',
      version: 1,
      source: 'notification-service',
      correlationId: placed.correlationId,
      causationId: placed.id,
      payload: {
        orderId: placed.payload.orderId,
        template: 'order-received',
        recipient: 'ada@example.com',
        messageId: `<${placed.payload.orderId}.order-received@shopflow>`,
      },
    });
  });

  it('lists the e-mails sent about an order at GET /notifications?orderId=', async () => {
    const orderId = crypto.randomUUID();
    await orders.publish(orderPlaced(orderId, 'ada@example.com'));
    await orders.publish(orderConfirmed(orderId, 'ada@example.com'));
    await orders.publish(orderPlaced(crypto.randomUUID()));
    // notification.sent is published once the claim has committed; the SMTP server gets the mail before that.
    await notifications.sentFor(orderId, 'order-received');
    await notifications.sentFor(orderId, 'order-confirmed');

    const { status, body } = await getJson(env, service.port, `/notifications?orderId=${orderId}`);
    expect(status).toBe(200);
    const sorted = (body as { template: string }[]).sort((a, b) => a.template.localeCompare(b.template));
    expect(sorted).toEqual(
      (['order-confirmed', 'order-received'] as const).map((template) => ({
        id: expect.any(String),
        orderId,
        template,
        to: 'ada@example.com',
        subject: expect.any(String),
        messageId: `<${orderId}.${template}@shopflow>`,
        sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      })),
    );
    expect(await getJson(env, service.port, `/notifications?orderId=${crypto.randomUUID()}`)).toMatchObject({
      status: 200,
      body: [],
    });
  });

  it('dead-letters at once, without retries, an e-mail the SMTP server refuses for good', async () => {
    const placed = orderPlaced(undefined, `nobody@${REFUSED_DOMAIN}`);
    await orders.publish(placed);

    const parked = await eventually(async () => {
      const connection = await amqplib.connect(env.vhost.url);
      try {
        const message = await (
          await connection.createChannel()
        ).get('notification-service.dead-letter', { noAck: true });
        if (!message) throw new Error('dead-letter queue still empty');
        return message;
      } finally {
        await connection.close();
      }
    });
    expect(JSON.parse(parked.content.toString())).toMatchObject({ id: placed.id });
    expect(parked.properties.headers).toMatchObject({
      [FAILURE_HEADERS.attempts]: 1,
      [FAILURE_HEADERS.errorKind]: 'unprocessable',
      [FAILURE_HEADERS.lastError]: expect.stringMatching(/refused the e-mail.*550/),
    });
    const { body } = await getJson(env, service.port, `/notifications?orderId=${placed.payload.orderId}`);
    expect(body).toEqual([]);
  });

  it.each(['?orderId=not-a-uuid', ''])('answers GET /notifications%s with a 400 problem', async (query) => {
    const { status, type, body } = await getJson(env, service.port, `/notifications${query}`);
    expect(status).toBe(400);
    expect(type).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({ status: 400, errors: [{ path: 'orderId' }] });
  });

  it('GET /notifications: 401 without a token, 403 without the admin scope (a customer too), and done with it', async () => {
    const path = `/notifications?orderId=${crypto.randomUUID()}`;
    const anonymous = await getJson(env, service.port, path, 'anonymous');
    expect(anonymous).toMatchObject({ status: 401, challenge: 'Bearer realm="shopflow"' });
    expect(anonymous.type).toMatch(/^application\/problem\+json/);
    expect((await getJson(env, service.port, path, { sub: 'cust-42', scope: 'orders catalog:write' })).status).toBe(
      403,
    );
    expect((await getJson(env, service.port, path, SUPPORT)).status).toBe(200);
    for (const [kind, authorization] of Object.entries(await env.identity.badCredentials())) {
      const res = await fetch(`http://127.0.0.1:${service.port}${path}`, {
        headers: authorization ? { authorization } : {},
      });
      expect({ kind, status: res.status }).toEqual({ kind, status: 401 });
    }
  });
});
