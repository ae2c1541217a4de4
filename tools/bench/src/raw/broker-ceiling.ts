import { createTestVhost } from '@shopflow/testing';
import amqplib from 'amqplib';
import { randomUUID } from 'node:crypto';

export interface BrokerCeiling {
  /** Persistent messages to a durable queue on a confirm channel, up to `window` awaiting their confirm. */
  publishPerSecond: number;
  /** Same, one at a time: publish, await the confirm, publish the next (what one awaiting caller sees). */
  serialPublishPerSecond: number;
  /** Those messages consumed with manual acks and the services' prefetch. */
  consumePerSecond: number;
  window: number;
  prefetch: number;
  messageBytes: number;
  messages: number;
}

/** About the size of an order.placed envelope: the bench publishes what the services publish. */
const MESSAGE = Buffer.from(
  JSON.stringify({
    id: randomUUID(),
    type: 'order.placed',
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'order-service',
    correlationId: randomUUID(),
    causationId: null,
    payload: {
      orderId: randomUUID(),
      customerId: 'bench-customer-0000',
      email: 'bench-0@example.com',
      items: [{ sku: 'BENCH-ITEM-01', quantity: 1, unitPrice: { amount: 1000, currency: 'EUR' } }],
      total: { amount: 1000, currency: 'EUR' },
      paymentToken: 'tok_ok',
    },
  }),
);

/**
 * The broker's own ceiling with amqplib, no service code: how fast this RabbitMQ takes persistent
 * messages with publisher confirms into a quorum queue, and hands them to a consumer that acks each. On a vhost of its
 * own, dropped afterwards.
 */
export async function measureBroker(seconds: number, { window = 100, prefetch = 20 } = {}): Promise<BrokerCeiling> {
  const vhost = await createTestVhost('bench_ceiling');
  const connection = await amqplib.connect(vhost.url);
  try {
    const channel = await connection.createConfirmChannel();
    const queue = 'ceiling';
    // The services' kind of queue (docs/architecture.md): a ceiling of another kind would not be theirs.
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const publish = () =>
      new Promise<void>((resolve, reject) => {
        // At most `window` messages are ever buffered, so amqplib's write buffer needs no 'drain' handling.
        channel.sendToQueue(queue, MESSAGE, { persistent: true, contentType: 'application/json' }, (err) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
        );
      });

    // Windowed: keep `window` publishes awaiting their confirm, as the outbox relay does with a batch.
    let published = 0;
    const until = Date.now() + seconds * 1000;
    const started = performance.now();
    const lanes = Array.from({ length: window }, async () => {
      while (Date.now() < until) {
        await publish();
        published += 1;
      }
    });
    await Promise.all(lanes);
    const publishPerSecond = published / ((performance.now() - started) / 1000);

    let serial = 0;
    const serialUntil = Date.now() + seconds * 1000;
    const serialStarted = performance.now();
    while (Date.now() < serialUntil) {
      await publish();
      serial += 1;
    }
    const serialPublishPerSecond = serial / ((performance.now() - serialStarted) / 1000);

    const total = published + serial;
    const consumer = await connection.createChannel();
    await consumer.prefetch(prefetch);
    const consumeStarted = performance.now();
    await new Promise<void>((resolve, reject) => {
      let consumed = 0;
      consumer
        .consume(queue, (message) => {
          if (!message) return;
          consumer.ack(message);
          if (++consumed === total) resolve();
        })
        .catch(reject);
    });
    const consumePerSecond = total / ((performance.now() - consumeStarted) / 1000);
    return {
      publishPerSecond,
      serialPublishPerSecond,
      consumePerSecond,
      window,
      prefetch,
      messageBytes: MESSAGE.length,
      messages: total,
    };
  } finally {
    await connection.close().catch(() => undefined);
    await vhost.drop().catch(() => undefined);
  }
}
