import { PaymentSucceededV1 } from '@shopflow/events';
import { BrokerConnection, EventConsumer, EventPublisher, on } from '@shopflow/messaging';
import { createTestVhost, eventually, type TestVhost } from '@shopflow/testing';
import { broker, dlq, failedWith, ORDER, paymentSucceeded, RETRY_POLICY, testLogger } from './harness';

describe('npm run dlq -- list / show, on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let look: Awaited<ReturnType<typeof broker>>;

  beforeEach(async () => {
    vhost = await createTestVhost('dlq_list');
    look = await broker(vhost.url);
    await look.declareServices();
  });

  afterEach(async () => {
    await look.close();
    await vhost.drop();
  });

  describe('list', () => {
    let ids: Record<'gateway1' | 'gateway2' | 'invalid' | 'stock', string>;

    beforeEach(async () => {
      ids = {
        gateway1: await look.park({ type: 'payment.succeeded', headers: failedWith('internal', 'gateway down') }),
        invalid: await look.park({ type: 'order.placed', headers: failedWith('invalid_message', 'bad json', 1) }),
        gateway2: await look.park({ type: 'payment.succeeded', headers: failedWith('internal', 'gateway timeout') }),
        stock: await look.park({ type: 'order.placed', headers: failedWith('internal', 'db down') }),
      };
    });

    it('groups the dead letters by reason, error kind and event type, the largest first, and keeps them all', async () => {
      const { code, out, err } = await dlq(vhost.url, ['list', '--service', 'order-service']);
      expect(err).toEqual([]);
      expect(code).toBe(0);
      const groupLines = out.filter((line) => /^\s+\d+\s+reason/.test(line)).map((line) => line.trim());
      expect(out[0]).toBe('order-service.dead-letter: 4 dead letters');
      expect(groupLines).toEqual([
        '2  reason "failed after 5 attempts" · kind internal · type payment.succeeded',
        '1  reason "invalid message" · kind invalid_message · type order.placed',
        '1  reason "failed after 5 attempts" · kind internal · type order.placed',
      ]);
      // Each id under its group, with when and why it failed.
      const firstGroup = out.slice(out.indexOf(out.find((l) => l.includes('type payment.succeeded'))!) + 1);
      expect(firstGroup[0]).toBe(`        ${ids.gateway1}  2030-01-02T03:04:05.000Z  gateway down`);
      expect(firstGroup[1]).toBe(`        ${ids.gateway2}  2030-01-02T03:04:05.000Z  gateway timeout`);
      // Read, not taken: every dead letter is back in the queue.
      // Given back when the tool's channel closed: a quorum queue takes them back a moment later.
      await eventually(async () => expect(await look.count(ORDER.deadLetterQueue)).toBe(4));
    });

    it('lists the groups as JSON, filtered', async () => {
      const { code, out } = await dlq(vhost.url, ['list', '-s', 'order-service', '--type', 'order.placed', '--json']);
      expect(code).toBe(0);
      expect(JSON.parse(out.join('\n'))).toEqual({
        queue: 'order-service.dead-letter',
        total: 4,
        groups: [
          {
            reason: 'invalid message',
            errorKind: 'invalid_message',
            eventType: 'order.placed',
            count: 1,
            ids: [ids.invalid],
          },
          {
            reason: 'failed after 5 attempts',
            errorKind: 'internal',
            eventType: 'order.placed',
            count: 1,
            ids: [ids.stock],
          },
        ],
      });
    });
  });

  it('says when the queue is empty', async () => {
    expect(await dlq(vhost.url, ['list', '--service', 'order-service'])).toMatchObject({
      code: 0,
      out: ['order-service.dead-letter is empty'],
    });
  });

  it('shows one dead letter parked by the real consumer: failure history, properties, headers, payload', async () => {
    const connection = new BrokerConnection({ url: vhost.url, connectionName: 'dlq-test', logger: testLogger() });
    const publisher = new EventPublisher(connection, [PaymentSucceededV1]);
    const consumer = new EventConsumer(connection, {
      service: 'order-service',
      purpose: 'events',
      handlers: [on(PaymentSucceededV1, () => Promise.reject(new Error('ledger is read-only')))],
      logger: testLogger(),
      retry: RETRY_POLICY,
    });
    const event = paymentSucceeded();
    try {
      await consumer.start();
      await publisher.publish({ exchange: 'payments', routingKey: PaymentSucceededV1.routingKey, event });
      await eventually(async () => (await look.count(ORDER.deadLetterQueue)) === 1, { message: 'parked' });
    } finally {
      await consumer.stop();
      await publisher.close();
      await connection.close();
    }

    const { code, out, err } = await dlq(vhost.url, ['show', '--service', 'order-service', event.id]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(out[0]).toBe(`dead letter ${event.id} in order-service.dead-letter`);
    expect(text).toMatch(/^ {2}event type +payment\.succeeded$/m);
    expect(text).toMatch(/^ {2}reason +failed after 2 attempts$/m);
    expect(text).toMatch(/^ {2}error +internal: ledger is read-only$/m);
    expect(text).toMatch(/^ {2}attempts +2$/m);
    expect(text).toMatch(/^ {2}consumer queue +order-service\.events$/m);
    expect(text).toMatch(/^ {2}published to +payments with routing key payment\.succeeded\.v1$/m);
    expect(text).toMatch(/^ {2}redriven +never$/m);
    // The one delay it waited in before its last attempt, as the broker recorded it.
    expect(text).toMatch(/^ {4}order-service\.events\.retry\.50ms {2}expired ×1 {2}last at \d{4}-\d\d-\d\dT/m);
    expect(text).toMatch(/^ {2}messageId +[0-9a-f-]+$/m);
    expect(text).toMatch(/^ {2}correlationId +[0-9a-f-]+$/m);
    expect(text).toMatch(/^ {2}x-last-error +"ledger is read-only"$/m);
    expect(text).toContain(`payload\n${JSON.stringify(event, null, 2).replace(/^/gm, '  ')}`);
    await eventually(async () => expect(await look.count(ORDER.deadLetterQueue)).toBe(1));

    const json = await dlq(vhost.url, ['show', '--service', 'order-service', event.id, '--json']);
    expect(JSON.parse(json.out.join('\n'))).toEqual([
      expect.objectContaining({ id: event.id, attempts: 2, payload: { json: event } }),
    ]);
  });

  it('fails in one line on an id that is not there, and gives every dead letter back', async () => {
    await look.park({ type: 'payment.succeeded', headers: failedWith('internal', 'x') });
    const { code, out, err } = await dlq(vhost.url, ['show', '--service', 'order-service', 'no-such-id']);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      'dlq: no dead letter with id no-such-id in order-service.dead-letter (it holds 1): ' +
        'npm run dlq -- list --service order-service prints the ids',
    ]);
    await eventually(async () => expect(await look.count(ORDER.deadLetterQueue)).toBe(1));
  });
});
