import amqplib from 'amqplib';
import { PaymentSucceededV1 } from '@shopflow/events';
import { createTestVhost, eventually, type TestVhost } from '@shopflow/testing';
import {
  consumerNames,
  consumerTopology,
  DeadLetterQueue,
  declareTopology,
  DELIVERY_LIMIT_REASON,
  DEFAULT_RETRY_POLICY,
  retryDelays,
} from '../src';
import { inspector, paymentSucceeded } from './harness';

const names = consumerNames('order-service', 'payments');
const DELIVERY_LIMIT = 2;

/**
 * A message whose handling kills the process never reaches the consumer's failure handling: no
 * exception, no x-attempts. What the broker sees is a consumer whose channel closed with the
 * message unacknowledged; a connection closed with the message in hand is exactly that.
 */
async function takeAndDie(url: string): Promise<boolean> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    const message = await channel.get(names.queue, { noAck: false });
    return message !== false;
  } finally {
    await connection.close();
  }
}

describe('the delivery limit of a service queue, on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let look: Awaited<ReturnType<typeof inspector>>;

  beforeEach(async () => {
    vhost = await createTestVhost('delivery_limit');
    look = await inspector(vhost.url);
    await declareTopology(
      look.channel,
      consumerTopology(names, [PaymentSucceededV1], DEFAULT_RETRY_POLICY, { deliveryLimit: DELIVERY_LIMIT }),
    );
  });

  afterEach(async () => {
    await look.close();
    await vhost.drop();
  });

  it('parks a message that keeps dying with its consumer, with a reason, instead of delivering it forever', async () => {
    const event = paymentSucceeded();
    const messageId = crypto.randomUUID();
    look.channel.publish('payments', PaymentSucceededV1.routingKey, Buffer.from(JSON.stringify(event)), {
      persistent: true,
      messageId,
      type: event.type,
    });
    await look.channel.waitForConfirms();

    let deliveries = 0;
    while (await takeAndDie(vhost.url)) {
      deliveries += 1;
      if (deliveries > 10) throw new Error('still delivered after 10 deaths: no delivery limit');
    }
    // The first delivery and one more per returned delivery up to the limit.
    expect(deliveries).toBe(DELIVERY_LIMIT + 1);
    await eventually(async () => expect(await look.count(names.deadLetterQueue)).toBe(1));
    expect(await look.count(names.queue)).toBe(0);

    // The operator's tool names why, and where a redrive would send it back.
    const queue = await DeadLetterQueue.open({ url: vhost.url, service: 'order-service' });
    try {
      const [letter] = await queue.takeAll();
      expect(letter).toMatchObject({
        id: messageId,
        eventType: event.type,
        reason: DELIVERY_LIMIT_REASON,
        consumerQueue: names.queue,
      });
      expect(JSON.parse(letter!.content.toString())).toEqual(event);
    } finally {
      await queue.close();
    }
  });

  it('declares every durable queue of a consumer as a quorum queue', async () => {
    const delayQueues = retryDelays(DEFAULT_RETRY_POLICY).map((delayMs) => names.delayQueue(delayMs));
    expect(await vhost.queueTypes()).toEqual(
      Object.fromEntries([names.queue, names.deadLetterQueue, ...delayQueues].map((queue) => [queue, 'quorum'])),
    );
  });
});
