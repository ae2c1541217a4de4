import { PaymentSucceededV1 } from '@shopflow/events';
import { createTestVhost, eventually, type TestVhost } from '@shopflow/testing';
import { BrokerConnection, EventConsumer, EventPublisher, on } from '../src';
import { paymentSucceeded, testLogger } from './harness';

describe('broker connection killed mid-stream', () => {
  let vhost: TestVhost;
  let broker: BrokerConnection;

  beforeEach(async () => {
    vhost = await createTestVhost('reconnect');
    broker = new BrokerConnection({
      url: vhost.url,
      connectionName: 'reconnect-test',
      logger: testLogger(),
    });
  });

  afterEach(async () => {
    await broker.close();
    await vhost.drop();
  });

  it('reconnects, re-attaches the consumer and handles every event published before and after', async () => {
    const handled = new Set<string>();
    let deliveries = 0;
    let connectionKilled!: () => void;
    const killed = new Promise<void>((resolve) => (connectionKilled = resolve));
    const consumer = new EventConsumer(broker, {
      service: 'test-service',
      purpose: 'payments',
      prefetch: 5,
      handlers: [
        on(PaymentSucceededV1, async (event) => {
          deliveries += 1;
          // The first deliveries are still being handled when the connection dies: their acks are lost.
          await killed;
          handled.add(event.id);
        }),
      ],
      logger: testLogger(),
    });
    await consumer.start();
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);

    // Like the outbox relay: a publish is only done once confirmed, and is retried until it is.
    const publishUntilConfirmed = async (event: ReturnType<typeof paymentSucceeded>) => {
      await eventually(
        () =>
          publisher.publish({
            exchange: 'payments',
            routingKey: PaymentSucceededV1.routingKey,
            event,
          }),
        {
          timeoutMs: 20_000,
          intervalMs: 100,
        },
      );
    };
    const before = Array.from({ length: 200 }, () => paymentSucceeded());
    const after = Array.from({ length: 200 }, () => paymentSucceeded());

    for (const event of before) await publishUntilConfirmed(event);
    await eventually(() => deliveries === 5, {
      message: 'a full prefetch window in flight',
    });

    const closed = await vhost.closeConnections({ atLeast: 1 });
    expect(closed).toBe(1);
    expect(handled.size).toBe(0);
    connectionKilled();
    await Promise.all(after.map(publishUntilConfirmed));

    await eventually(() => [...before, ...after].every((e) => handled.has(e.id)), {
      timeoutMs: 30_000,
      message: 'every event handled after the reconnect',
    });
    // The five in flight at the kill were not acked on the dead channel: the broker redelivered them.
    expect(deliveries).toBeGreaterThanOrEqual(before.length + after.length + 5);
    expect(broker.isConnected()).toBe(true);

    await consumer.stop();
    await publisher.close();
  }, 60_000);
});
