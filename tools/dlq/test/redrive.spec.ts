import { PaymentSucceededV1 } from '@shopflow/events';
import { BrokerConnection, EventConsumer, EventPublisher, FAILURE_HEADERS, on } from '@shopflow/messaging';
import { createTestVhost, eventually, type TestVhost } from '@shopflow/testing';
import { broker, dlq, failedWith, INVENTORY, ORDER, paymentSucceeded, RETRY_POLICY, testLogger } from './harness';

describe('npm run dlq -- redrive, on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let look: Awaited<ReturnType<typeof broker>>;

  beforeEach(async () => {
    vhost = await createTestVhost('dlq_redrive');
    look = await broker(vhost.url);
    await look.declareServices();
  });

  afterEach(async () => {
    await look.close();
    await vhost.drop();
  });

  describe('a poison message', () => {
    let connection: BrokerConnection | undefined;
    let publisher: EventPublisher | undefined;
    let consumer: EventConsumer | undefined;

    afterEach(async () => {
      await consumer?.stop();
      await publisher?.close();
      await connection?.close();
    });

    it('is parked by the consumer, fixed, redriven to its own queue only and handled once', async () => {
      let fixed = false;
      const attempts: number[] = [];
      const handled = new Map<string, number>();
      connection = new BrokerConnection({ url: vhost.url, connectionName: 'dlq-test', logger: testLogger() });
      publisher = new EventPublisher(connection, [PaymentSucceededV1]);
      consumer = new EventConsumer(connection, {
        service: 'order-service',
        purpose: 'events',
        handlers: [
          on(PaymentSucceededV1, async (event, { attempt }) => {
            attempts.push(attempt);
            if (!fixed) throw new Error('ledger is read-only');
            handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
          }),
        ],
        logger: testLogger(),
        retry: RETRY_POLICY,
        // One at a time: once a later event is handled, everything before it in the queue has been.
        prefetch: 1,
      });
      await consumer.start();
      const publish = (event: ReturnType<typeof paymentSucceeded>) =>
        publisher!.publish({ exchange: 'payments', routingKey: PaymentSucceededV1.routingKey, event });

      const poison = paymentSucceeded();
      await publish(poison);
      await eventually(async () => (await look.count(ORDER.deadLetterQueue)) === 1, { message: 'poison parked' });
      expect(attempts).toEqual([1, 2]);
      // inventory-service got the event too when it was published: it is bound to the same topic.
      expect(await look.drain(INVENTORY.queue)).toHaveLength(1);
      expect((await dlq(vhost.url, ['list', '-s', 'order-service'])).out).toContain(
        '     1  reason "failed after 2 attempts" · kind internal · type payment.succeeded',
      );

      fixed = true;
      const { code, out, err } = await dlq(vhost.url, ['redrive', '--service', 'order-service', poison.id]);
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(out).toEqual([
        `redriven ${poison.id} (payment.succeeded) to order-service.events, redrive 1`,
        'redrove 1 of 1 selected dead letter of order-service',
      ]);
      // The redrive was confirmed before the tool returned: had it gone through the topic exchange,
      // inventory-service's queue would hold it now.
      expect(await look.count(INVENTORY.queue)).toBe(0);
      await eventually(() => (handled.get(poison.id) ?? 0) >= 1, { message: 'redriven poison handled' });

      // A later event handled means the queue has nothing left before it: no second copy came.
      const later = paymentSucceeded();
      await publish(later);
      await eventually(() => (handled.get(later.id) ?? 0) >= 1, { message: 'later event handled' });
      expect(handled.get(poison.id)).toBe(1);
      // Its third attempt: the headers, attempts included, came back with it.
      expect(attempts).toEqual([1, 2, 3, 1]);
      expect(await look.count(ORDER.deadLetterQueue)).toBe(0);
      expect(await look.count(ORDER.queue)).toBe(0);
    });
  });

  it('redrives the dead letters of one group only, each to the queue that parked it', async () => {
    const payment = await look.park({ type: 'payment.succeeded', headers: failedWith('internal', 'gateway down') });
    const order = await look.park({ type: 'order.placed', headers: failedWith('internal', 'db down') });
    const invalid = await look.park({ type: 'payment.succeeded', headers: failedWith('invalid_message', 'bad') });

    const { code, out } = await dlq(vhost.url, [
      'redrive',
      '-s',
      'order-service',
      '--reason',
      'failed after 5 attempts',
      '--type',
      'payment.succeeded',
    ]);
    expect(code).toBe(0);
    expect(out).toEqual([
      `redriven ${payment} (payment.succeeded) to order-service.events, redrive 1`,
      'redrove 1 of 1 selected dead letter of order-service',
    ]);
    const [copy] = await look.drain(ORDER.queue);
    expect(copy!.properties).toMatchObject({
      messageId: payment,
      headers: expect.objectContaining({ [FAILURE_HEADERS.lastError]: 'gateway down', 'x-redrive-count': 1 }),
    });
    expect((await look.drain(ORDER.deadLetterQueue)).map((m) => m.properties.messageId)).toEqual([order, invalid]);
  });

  it("refuses to redrive a dead letter into another service's queue, and keeps it parked", async () => {
    // In order-service's dead-letter queue, but naming inventory-service's queue (moved by hand, say).
    const stray = await look.park({
      type: 'payment.succeeded',
      headers: { ...failedWith('internal', 'x'), [FAILURE_HEADERS.queue]: INVENTORY.queue },
    });
    const ours = await look.park({ type: 'payment.succeeded', headers: failedWith('internal', 'y') });

    const { code, out, err } = await dlq(vhost.url, ['redrive', '--service', 'order-service', '--all']);
    expect(code).toBe(1);
    expect(err).toEqual([
      `dead letter ${stray} names inventory-service.events as its queue, which is not a consumer queue of ` +
        `order-service: not redriven (a redrive only reaches order-service's own queues; purge it if it does not belong here)`,
      `dlq: 1 dead letter not redriven and still parked: ${stray}`,
    ]);
    // The others still go.
    expect(out).toEqual([
      `redriven ${ours} (payment.succeeded) to order-service.events, redrive 1`,
      'redrove 1 of 2 selected dead letters of order-service',
    ]);
    expect(await look.count(INVENTORY.queue)).toBe(0);
    expect((await look.drain(ORDER.queue)).map((m) => m.properties.messageId)).toEqual([ours]);
    expect((await look.drain(ORDER.deadLetterQueue)).map((m) => m.properties.messageId)).toEqual([stray]);
  });

  it("cannot reach another service's dead letters: --service picks the only queue read and the only exchange used", async () => {
    const id = await look.park({ type: 'payment.succeeded', headers: failedWith('internal', 'x') });
    const { code, err } = await dlq(vhost.url, ['redrive', '--service', 'inventory-service', id]);
    expect(code).toBe(1);
    expect(err).toEqual([
      `dlq: no dead letter with id ${id} in inventory-service.dead-letter (it holds 0): ` +
        'npm run dlq -- list --service inventory-service prints the ids',
    ]);
    for (const queue of [INVENTORY.queue, ORDER.queue]) expect(await look.count(queue)).toBe(0);
    // Given back when the tool's channel closed: a quorum queue takes them back a moment later.
    await eventually(async () => expect(await look.count(ORDER.deadLetterQueue)).toBe(1));
  });

  it('redrives nothing when one of the ids asked for is not there', async () => {
    const id = await look.park({ type: 'payment.succeeded', headers: failedWith('internal', 'x') });
    const { code, err } = await dlq(vhost.url, ['redrive', '--service', 'order-service', id, 'typo']);
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^dlq: no dead letter with id typo in order-service\.dead-letter/)]);
    expect(await look.count(ORDER.queue)).toBe(0);
    await eventually(async () => expect(await look.count(ORDER.deadLetterQueue)).toBe(1));
  });
});
