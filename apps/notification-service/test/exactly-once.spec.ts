import {
  emailsAbout,
  orderConfirmed,
  orderPlaced,
  receivedEmail,
  silentLogger,
  watchNotificationsSent,
  type TestEnvironment,
  startServiceUnderTest,
  type ServiceUnderTest,
} from './harness';

/**
 * One message at a time (PREFETCH 1), handled in publication order: once the e-mail of a marker
 * published last has arrived, every message published before it has been handled and acknowledged.
 * The other files use pooled SMTP connections; this one uses a connection per e-mail.
 */
describe('one e-mail per order and template, whatever arrives twice', () => {
  let env: TestEnvironment;
  let orders: ServiceUnderTest['orders'];
  let sut: ServiceUnderTest;
  let notifications: Awaited<ReturnType<typeof watchNotificationsSent>>;

  beforeAll(async () => {
    sut = await startServiceUnderTest('notif_once', silentLogger(), { PREFETCH: 1, SMTP_POOL: false });
    ({ env, orders } = sut);
    notifications = await watchNotificationsSent(env.vhost.url);
  }, 60_000);

  afterAll(async () => {
    await notifications?.close();
    await sut?.stop();
  });

  /** Publishes a marker order behind everything published so far and waits until it went all the way through. */
  async function drain() {
    const marker = orderPlaced();
    await orders.publish(marker);
    await receivedEmail(env.sink, marker.payload.orderId, 'order-received');
    await notifications.sentFor(marker.payload.orderId, 'order-received');
  }

  const sentEventsAbout = (orderId: string) => notifications.received.filter((e) => e.payload.orderId === orderId);

  it('sends one e-mail when the same order.placed is delivered twice', async () => {
    const placed = orderPlaced();
    await orders.publish(placed);
    await orders.publish(placed);
    await drain();

    expect(emailsAbout(env.sink, placed.payload.orderId, 'order-received')).toHaveLength(1);
    expect(sentEventsAbout(placed.payload.orderId)).toHaveLength(1);
  });

  it('sends one e-mail for two distinct order.confirmed events of the same order', async () => {
    const orderId = crypto.randomUUID();
    const first = orderConfirmed(orderId);
    const second = orderConfirmed(orderId);
    expect(second.id).not.toBe(first.id);
    await orders.publish(first);
    await orders.publish(second);
    await drain();

    expect(emailsAbout(env.sink, orderId, 'order-confirmed')).toHaveLength(1);
    expect(sentEventsAbout(orderId)).toHaveLength(1);
  });

  it('still sends the other templates of an order that already had an e-mail', async () => {
    const orderId = crypto.randomUUID();
    await orders.publish(orderPlaced(orderId));
    await orders.publish(orderConfirmed(orderId));
    await drain();

    expect(emailsAbout(env.sink, orderId, 'order-received')).toHaveLength(1);
    expect(emailsAbout(env.sink, orderId, 'order-confirmed')).toHaveLength(1);
  });
});
