import amqplib from 'amqplib';
import { AppError } from '@shopflow/errors';
import { PaymentSucceededV1, type EventOf } from '@shopflow/events';
import { createTestVhost, eventually, type TestVhost } from '@shopflow/testing';
import {
  BrokerConnection,
  consumerNames,
  consumerTopology,
  declareTopology,
  DEFAULT_RETRY_POLICY,
  EventConsumer,
  EventPublisher,
  FAILURE_HEADERS,
  on,
  type EventHandler,
} from '../src';
import { inspector, paymentSucceeded, testLogger } from './harness';

type Succeeded = EventOf<typeof PaymentSucceededV1>;

describe('EventConsumer on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let broker: BrokerConnection;
  let publisher: EventPublisher;
  let consumer: EventConsumer | undefined;
  let look: Awaited<ReturnType<typeof inspector>>;

  const publish = (event: Succeeded) =>
    publisher.publish({
      exchange: 'payments',
      routingKey: PaymentSucceededV1.routingKey,
      event,
    });

  async function startConsumer(handle: EventHandler<typeof PaymentSucceededV1>, maxAttempts = 3, prefetch?: number) {
    consumer = new EventConsumer(broker, {
      service: 'test-service',
      purpose: 'payments',
      handlers: [on(PaymentSucceededV1, handle)],
      logger: testLogger(),
      retry: { maxAttempts, initialDelayMs: 150, multiplier: 2 },
      prefetch,
    });
    await consumer.start();
    return consumer;
  }

  beforeEach(async () => {
    vhost = await createTestVhost('consumer');
    broker = new BrokerConnection({
      url: vhost.url,
      connectionName: 'consumer-test',
      logger: testLogger(),
    });
    publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    look = await inspector(vhost.url);
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await publisher.close();
    await look.close().catch(() => undefined); // a test may have closed its connection
    await broker.close();
    await vhost.drop();
  });

  it('names the queue to re-create when it exists with other arguments than this version declares', async () => {
    const names = consumerNames('test-service', 'stock');
    // As a version before quorum queues declared it: a classic queue without arguments.
    await look.channel.assertQueue(names.queue, { durable: true });
    const topology = consumerTopology(names, [PaymentSucceededV1], DEFAULT_RETRY_POLICY);
    // The broker closes the channel on the failed declaration: a connection of its own.
    const connection = await amqplib.connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => undefined);
      await expect(declareTopology(channel, topology)).rejects.toThrow(
        /^queue test-service\.stock exists with other arguments .*PRECONDITION_FAILED.*docs\/operations\.md/,
      );
    } finally {
      await connection.close();
    }
  });

  it('retries a failing handler with backoff and handles the event once it succeeds', async () => {
    const attempts: { at: number; attempt: number }[] = [];
    let handled = 0;
    const { names } = await startConsumer(async (_event, { attempt }) => {
      attempts.push({ at: Date.now(), attempt });
      if (attempts.length <= 2) throw new Error(`transient failure ${attempts.length}`);
      handled += 1;
    }, 4);

    await publish(paymentSucceeded());
    await eventually(() => handled === 1, {
      message: 'event handled after two failures',
    });

    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Exponential backoff: 150 ms before the 2nd attempt, 300 ms before the 3rd (TTLs never fire early).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(150);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(300);
    await eventually(async () => (await look.count(names.queue)) === 0);
    expect(await look.count(names.deadLetterQueue)).toBe(0);
    expect(handled).toBe(1);
  });

  it('parks an always-failing event in the dead-letter queue after N attempts while others keep flowing', async () => {
    const poison = paymentSucceeded();
    const healthy = paymentSucceeded();
    let poisonAttempts = 0;
    let poisonAttemptsWhenHealthyHandled: number | undefined;
    const { names } = await startConsumer(async (event) => {
      if (event.id === poison.id) {
        poisonAttempts += 1;
        throw new Error('payment gateway exploded');
      }
      poisonAttemptsWhenHealthyHandled = poisonAttempts;
    }, 3);

    await publish(poison);
    await eventually(() => poisonAttempts === 1);
    await publish(healthy);

    const [parked] = await eventually(async () => {
      const messages = await look.drain(names.deadLetterQueue);
      if (messages.length === 0) throw new Error('dead-letter queue still empty');
      return messages;
    });
    expect(poisonAttemptsWhenHealthyHandled).toBeDefined();
    expect(poisonAttemptsWhenHealthyHandled).toBeLessThan(3);
    expect(poisonAttempts).toBe(3);
    expect(JSON.parse(parked!.content.toString())).toEqual(poison);
    expect(parked!.properties.headers).toMatchObject({
      [FAILURE_HEADERS.attempts]: 3,
      [FAILURE_HEADERS.lastError]: 'payment gateway exploded',
      [FAILURE_HEADERS.originalExchange]: 'payments',
      [FAILURE_HEADERS.originalRoutingKey]: 'payment.succeeded.v1',
      [FAILURE_HEADERS.deadLetterReason]: 'failed after 3 attempts',
      [FAILURE_HEADERS.queue]: names.queue,
    });
  });

  it('dead-letters a permanent error at once, without retries', async () => {
    let calls = 0;
    const { names } = await startConsumer(async () => {
      calls += 1;
      throw new AppError('unprocessable', 'amount does not match the order');
    });
    await publish(paymentSucceeded());
    const [parked] = await eventually(async () => {
      const messages = await look.drain(names.deadLetterQueue);
      if (messages.length === 0) throw new Error('dead-letter queue still empty');
      return messages;
    });
    expect(calls).toBe(1);
    expect(parked!.properties.headers).toMatchObject({
      [FAILURE_HEADERS.attempts]: 1,
      [FAILURE_HEADERS.errorKind]: 'unprocessable',
      [FAILURE_HEADERS.lastError]: 'amount does not match the order',
    });
  });

  it('dead-letters malformed and invalid messages at once with the reason, and keeps consuming', async () => {
    const seen: string[] = [];
    const { names } = await startConsumer(async (event) => {
      seen.push(event.id);
    });
    const valid = paymentSucceeded();
    const garbage: [string, string][] = [
      ['not json', '{"oops'],
      ['invalid payload', JSON.stringify({ ...paymentSucceeded(), payload: { orderId: 'nope' } })],
      ['unknown type', JSON.stringify({ ...paymentSucceeded(), type: 'payment.teleported' })],
    ];
    for (const [, body] of garbage) {
      look.channel.publish('payments', PaymentSucceededV1.routingKey, Buffer.from(body), { persistent: true });
    }
    await look.channel.waitForConfirms();
    await publish(valid);

    await eventually(() => seen.includes(valid.id), {
      message: 'valid event handled after the garbage',
    });
    const parked = await eventually(async () => {
      const messages = await look.drain(names.deadLetterQueue);
      if (messages.length < garbage.length) throw new Error(`only ${messages.length} dead letters`);
      return messages;
    });
    expect(seen).toEqual([valid.id]);
    const reasonFor = (body: string) =>
      String(parked.find((m) => m.content.toString() === body)?.properties.headers?.[FAILURE_HEADERS.lastError]);
    expect(reasonFor(garbage[0]![1])).toMatch(/malformed JSON/);
    expect(reasonFor(garbage[1]![1])).toMatch(/invalid payment.succeeded v1 payload/);
    expect(reasonFor(garbage[2]![1])).toMatch(/unknown event payment.teleported v1/);
    for (const m of parked) {
      expect(m.properties.headers).toMatchObject({
        [FAILURE_HEADERS.attempts]: 1,
        [FAILURE_HEADERS.errorKind]: 'invalid_message',
        [FAILURE_HEADERS.deadLetterReason]: 'invalid message',
        [FAILURE_HEADERS.originalRoutingKey]: 'payment.succeeded.v1',
      });
    }
    expect(parked.map((m) => m.content.toString()).sort()).toEqual(garbage.map(([, body]) => body).sort());
  });

  it('finishes in-flight handlers before stopping', async () => {
    let finished = 0;
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = await startConsumer(async () => {
      started += 1;
      await gate;
      finished += 1;
    });
    await publish(paymentSucceeded());
    await eventually(() => started === 1);
    const stopping = running.stop();
    release();
    await stopping;
    consumer = undefined;
    expect(finished).toBe(1);
    expect(await look.count(running.names.queue)).toBe(0);
  });

  it('acks in groups but never past a delivery still being handled, and a slow one holds no other back', async () => {
    const slow = paymentSucceeded();
    const others = Array.from({ length: 20 }, () => paymentSucceeded());
    const seen: string[] = [];
    const timesSeen = (id: string) => seen.filter((seenId) => seenId === id).length;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let releaseOthers!: () => void;
    const othersGate = new Promise<void>((resolve) => (releaseOthers = resolve));
    const running = await startConsumer(
      async (event) => {
        seen.push(event.id);
        if (event.id === slow.id && timesSeen(slow.id) === 1) await gate;
        else await othersGate;
      },
      3,
      5,
    );
    await publish(slow);
    for (const event of others) await publish(event);
    // The first four others, held until now, settle in one turn behind the held oldest: their
    // acks leave together, where a group ack would wrongly cover the oldest.
    await eventually(() => seen.length === 5, { message: 'a full prefetch window delivered' });
    releaseOthers();

    // Prefetch 5 with the oldest delivery held: the other 20 get through only if their acks leave
    // at once, not after the slow one's.
    await eventually(() => others.every((event) => timesSeen(event.id) >= 1), {
      message: 'the others handled while the oldest is held',
    });
    // The broker still holds the slow one as unacked: when the connection drops, it comes back.
    await vhost.closeConnections({ atLeast: 1 });
    await eventually(() => timesSeen(slow.id) === 2, { message: 'the held delivery redelivered' });
    release();

    await running.stop();
    consumer = undefined;
    const after = await inspector(vhost.url);
    try {
      // Stopped: anything left unacked would be ready again.
      expect(await after.count(running.names.queue)).toBe(0);
    } finally {
      await after.close();
    }
  });
});
