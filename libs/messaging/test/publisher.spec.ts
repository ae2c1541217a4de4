import { createTestVhost, type TestVhost } from '@shopflow/testing';
import { BrokerConnection, EventPublisher } from '../src';
import { PaymentFailedV1, PaymentSucceededV1 } from '@shopflow/events';
import { inspector, paymentSucceeded, testLogger } from './harness';

describe('EventPublisher on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let broker: BrokerConnection;
  let look: Awaited<ReturnType<typeof inspector>>;

  beforeEach(async () => {
    vhost = await createTestVhost('publisher');
    broker = new BrokerConnection({
      url: vhost.url,
      connectionName: 'publisher-test',
      logger: testLogger(),
    });
    look = await inspector(vhost.url);
  });

  afterEach(async () => {
    await look.close();
    await broker.close();
    await vhost.drop();
  });

  it('resolves once confirmed, with the event routed by topic to matching queues only', async () => {
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    await publisher.waitForConnect();
    const ch = look.channel;
    await ch.assertQueue('wants-succeeded');
    await ch.bindQueue('wants-succeeded', 'payments', PaymentSucceededV1.routingKey);
    await ch.assertQueue('wants-failed');
    await ch.bindQueue('wants-failed', 'payments', PaymentFailedV1.routingKey);
    await ch.assertQueue('wants-all-payments');
    await ch.bindQueue('wants-all-payments', 'payments', 'payment.#');
    await ch.assertExchange('orders', 'topic', { durable: true });
    await ch.assertQueue('wants-orders');
    await ch.bindQueue('wants-orders', 'orders', '#');

    const event = paymentSucceeded();
    await publisher.publish({
      exchange: 'payments',
      routingKey: PaymentSucceededV1.routingKey,
      event,
    });

    // A confirm for a routed persistent message means every matching queue already holds it.
    expect(await look.count('wants-succeeded')).toBe(1);
    expect(await look.count('wants-all-payments')).toBe(1);
    expect(await look.count('wants-failed')).toBe(0);
    expect(await look.count('wants-orders')).toBe(0);

    const [message] = await look.drain('wants-succeeded');
    expect(JSON.parse(message!.content.toString())).toEqual(event);
    expect(message!.properties).toMatchObject({
      deliveryMode: 2,
      messageId: event.id,
      type: 'payment.succeeded',
      contentType: 'application/json',
    });
    await publisher.close();
  });

  it('rejects a publish the broker refuses instead of resolving', async () => {
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    await publisher.waitForConnect();
    await expect(
      publisher.publish({
        exchange: 'no-such-exchange',
        routingKey: 'x',
        event: paymentSucceeded(),
      }),
    ).rejects.toThrow();
    await publisher.close();
  });
});
