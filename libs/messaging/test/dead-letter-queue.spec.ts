import { PaymentSucceededV1 } from '@shopflow/events';
import { createTestVhost, eventually, type TestVhost } from '@shopflow/testing';
import {
  BrokerConnection,
  consumerNames,
  consumerTopology,
  DeadLetterError,
  DeadLetterQueue,
  declareTopology,
  EventConsumer,
  EventPublisher,
  FAILURE_HEADERS,
  on,
  REDRIVE_HEADERS,
} from '../src';
import { inspector, paymentSucceeded, testLogger } from './harness';

const policy = { maxAttempts: 2, initialDelayMs: 50, multiplier: 2 };
const order = consumerNames('order-service', 'events');
// Another service handling the same event: what a redrive through the topic exchange would reach too.
const inventory = consumerNames('inventory-service', 'events');

describe('DeadLetterQueue on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let look: Awaited<ReturnType<typeof inspector>>;
  let queue: DeadLetterQueue | undefined;

  beforeEach(async () => {
    vhost = await createTestVhost('dead_letter_queue');
    look = await inspector(vhost.url);
    for (const names of [order, inventory]) {
      await declareTopology(look.channel, consumerTopology(names, [PaymentSucceededV1], policy));
    }
  });

  afterEach(async () => {
    await queue?.close();
    queue = undefined;
    await look.close();
    await vhost.drop();
  });

  const open = async () => (queue = await DeadLetterQueue.open({ url: vhost.url, service: 'order-service' }));

  /** Parks a message as a consumer would, with the headers given. */
  async function park(headers: Record<string, unknown>, { withId = true } = {}) {
    const event = paymentSucceeded();
    const messageId = withId ? crypto.randomUUID() : undefined;
    look.channel.publish(order.deadLetterExchange, order.queue, Buffer.from(JSON.stringify(event)), {
      persistent: true,
      messageId,
      type: event.type,
      // An undefined header leaves the default out.
      headers: Object.fromEntries(
        Object.entries({ [FAILURE_HEADERS.queue]: order.queue, ...headers }).filter(([, v]) => v !== undefined),
      ),
    });
    await look.channel.waitForConfirms();
    return messageId;
  }

  /** A dead letter made by the real consumer: handled, retried once through a delay queue, parked. */
  async function parkThroughConsumer() {
    const broker = new BrokerConnection({ url: vhost.url, connectionName: 'dlq-test', logger: testLogger() });
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    const consumer = new EventConsumer(broker, {
      service: 'order-service',
      purpose: 'events',
      handlers: [on(PaymentSucceededV1, () => Promise.reject(new Error('gateway exploded')))],
      logger: testLogger(),
      retry: policy,
    });
    try {
      await consumer.start();
      const event = paymentSucceeded();
      await publisher.publish({ exchange: 'payments', routingKey: PaymentSucceededV1.routingKey, event });
      await eventually(async () => (await look.count(order.deadLetterQueue)) === 1, { message: 'parked' });
      return event;
    } finally {
      await consumer.stop();
      await publisher.close();
      await broker.close();
    }
  }

  it('reads a dead letter made by the consumer: reason, type, attempts, error, queue, route and retries', async () => {
    const event = await parkThroughConsumer();
    const [letter] = await (await open()).takeAll();
    expect(letter).toMatchObject({
      id: event.id,
      hasMessageId: true,
      eventType: 'payment.succeeded',
      reason: 'failed after 2 attempts',
      errorKind: 'internal',
      lastError: 'gateway exploded',
      attempts: 2,
      consumerQueue: order.queue,
      origin: { exchange: 'payments', routingKey: PaymentSucceededV1.routingKey },
      redriveCount: 0,
    });
    expect(Date.parse(letter!.failedAt!)).not.toBeNaN();
    // The broker recorded the one delay it went through when it expired back into the queue.
    expect(letter!.retries).toEqual([
      expect.objectContaining({ queue: order.delayQueue(50), reason: 'expired', count: 1 }),
    ]);
    expect(Date.parse(letter!.retries[0]!.time!)).not.toBeNaN();
  });

  it('gives back, in order, every dead letter neither redriven nor discarded when it closes', async () => {
    const ids = [await park({}), await park({}), await park({})];
    const first = await open();
    const letters = await first.takeAll();
    expect(letters.map((l) => l.id)).toEqual(ids);
    // Held unacknowledged: nobody else can take them meanwhile.
    expect(await look.count(order.deadLetterQueue)).toBe(0);
    first.discard(letters[1]!);
    await first.close();

    // A quorum queue takes them back a moment after the channel closed.
    await eventually(async () => expect(await look.count(order.deadLetterQueue)).toBe(2));
    expect((await (await open()).takeAll()).map((l) => l.id)).toEqual([ids[0], ids[2]]);
  });

  it("redrives to the consumer's queue only, keeping id, properties and headers and counting the redrive", async () => {
    const event = await parkThroughConsumer();
    const [parked] = await look.drain(order.deadLetterQueue);
    // The bystander got the event when it was first published: it is bound to the same topic.
    expect(await look.drain(inventory.queue)).toHaveLength(1);
    // Put it back, with properties a publisher sets, to see them all kept.
    look.channel.publish(order.deadLetterExchange, order.queue, parked!.content, {
      ...parked!.properties,
      correlationId: 'corr-1',
      appId: 'order-service',
      contentType: 'application/json',
      timestamp: 1_700_000_000,
    });
    await look.channel.waitForConfirms();

    const dlq = await open();
    const [letter] = await dlq.takeAll();
    expect(await dlq.redrive(letter!)).toBe(order.queue);
    // Confirmed before redrive() resolved: anything routed is in its queues now.
    expect(await look.count(inventory.queue)).toBe(0);
    const [copy] = await look.drain(order.queue);
    expect(copy!.fields).toMatchObject({ exchange: order.retryExchange, routingKey: order.queue });
    expect(copy!.content.equals(parked!.content)).toBe(true);
    expect(copy!.properties).toMatchObject({
      messageId: event.id,
      type: 'payment.succeeded',
      correlationId: 'corr-1',
      appId: 'order-service',
      contentType: 'application/json',
      timestamp: 1_700_000_000,
      deliveryMode: 2,
    });
    const { [REDRIVE_HEADERS.count]: count, [REDRIVE_HEADERS.redrivenAt]: at, ...kept } = copy!.properties.headers!;
    expect(kept).toEqual(parked!.properties.headers);
    expect(count).toBe(1);
    expect(Date.parse(String(at))).not.toBeNaN();
    // Acked once confirmed: the dead letter is gone for good.
    await dlq.close();
    expect(await look.count(order.deadLetterQueue)).toBe(0);
  });

  it('counts every redrive', async () => {
    await park({ [REDRIVE_HEADERS.count]: 2 });
    const dlq = await open();
    await dlq.redrive((await dlq.takeAll())[0]!);
    const [copy] = await look.drain(order.queue);
    expect(copy!.properties.headers![REDRIVE_HEADERS.count]).toBe(3);
  });

  it.each([
    [
      'another service',
      { [FAILURE_HEADERS.queue]: inventory.queue },
      /names inventory-service\.events .* not a consumer queue of order-service/,
    ],
    ['a delay queue', { [FAILURE_HEADERS.queue]: order.delayQueue(50) }, /not a consumer queue of order-service/],
    ['no queue at all', { [FAILURE_HEADERS.queue]: undefined }, /has no x-consumer-queue header/],
  ])('refuses to redrive a dead letter whose queue is %s, and keeps it', async (_what, headers, message) => {
    const id = await park(headers);
    const dlq = await open();
    const [letter] = await dlq.takeAll();
    await expect(dlq.redrive(letter!)).rejects.toThrow(message);
    await expect(dlq.redrive(letter!)).rejects.toMatchObject({ code: 'refused' });
    await dlq.close();
    for (const names of [order, inventory]) expect(await look.count(names.queue)).toBe(0);
    expect((await look.drain(order.deadLetterQueue)).map((m) => m.properties.messageId)).toEqual([id]);
  });

  it('keeps a dead letter whose queue the retry exchange does not route to (gone or unbound)', async () => {
    const id = await park({ [FAILURE_HEADERS.queue]: 'order-service.gone' });
    const dlq = await open();
    const [letter] = await dlq.takeAll();
    await expect(dlq.redrive(letter!)).rejects.toThrow(
      new DeadLetterError(
        'unroutable',
        'order-service.retry routes nothing to order-service.gone: that queue is gone or not bound, so the dead ' +
          'letter stays parked (start order-service, which declares and binds its queues, then redrive again)',
      ),
    );
    await dlq.close();
    expect((await look.drain(order.deadLetterQueue)).map((m) => m.properties.messageId)).toEqual([id]);
  });

  it('selects a message published without an id by a digest of its body', async () => {
    await park({}, { withId: false });
    const [letter] = await (await open()).takeAll();
    expect(letter).toMatchObject({ hasMessageId: false, id: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
  });

  it('says so when the service has no dead-letter queue, and declares nothing', async () => {
    await expect(DeadLetterQueue.open({ url: vhost.url, service: 'ordre-service' })).rejects.toThrow(
      new RegExp(`^there is no queue ordre-service\\.dead-letter on vhost '${vhost.name}': check the service name`),
    );
    expect(await vhost.queue('ordre-service.dead-letter')).toBeUndefined();
  });
});
