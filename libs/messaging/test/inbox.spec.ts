import { PaymentSucceededV1 } from '@shopflow/events';
import { createTestDatabase, createTestVhost, eventually, type TestDatabase, type TestVhost } from '@shopflow/testing';
import {
  appendToOutbox,
  BrokerConnection,
  EventConsumer,
  EventPublisher,
  EventTransactions,
  Inbox,
  on,
  type InboxOutcome,
} from '../src';
import { Database, sql, type SqlClient } from '@shopflow/postgres';
import { balanceOf, createAccount, creditAccount, paymentSucceeded, PRISMA_CONFIG, testLogger } from './harness';

describe('idempotent consumer (inbox) on a real PostgreSQL and RabbitMQ', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase({
      prefix: 'inbox',
      prismaConfig: PRISMA_CONFIG,
    });
    db = new Database({ url: database.url });
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const credit = (inbox: Inbox, accountId: string) => (event: ReturnType<typeof paymentSucceeded>) =>
    inbox.handleOnce(event, (tx) => creditAccount(tx, accountId, event.payload.amount.amount));

  it('records the event with its effects, so a second delivery has no effect', async () => {
    const inbox = new Inbox(db, 'test.inbox');
    const event = paymentSucceeded(undefined, 700);
    expect(await credit(inbox, 'acc-1')(event)).toBe('handled');
    expect(await credit(inbox, 'acc-1')(event)).toBe('duplicate');
    expect(await balanceOf(db, 'acc-1')).toBe(700);
  });

  it('lets exactly one of two concurrent deliveries of the same event through', async () => {
    const inbox = new Inbox(db, 'test.inbox');
    const event = paymentSucceeded(undefined, 300);
    const outcomes = await Promise.all([credit(inbox, 'acc-2')(event), credit(inbox, 'acc-2')(event)]);
    expect(outcomes.sort()).toEqual(['duplicate', 'handled']);
    expect(await balanceOf(db, 'acc-2')).toBe(300);
  });

  it('forgets the event when the handler fails, so the retry can succeed', async () => {
    const inbox = new Inbox(db, 'test.inbox');
    const event = paymentSucceeded(undefined, 100);
    await expect(
      inbox.handleOnce(event, async (tx) => {
        await createAccount(tx, 'acc-3', 100);
        throw new Error('handler failed after writing');
      }),
    ).rejects.toThrow('handler failed after writing');
    expect(await balanceOf(db, 'acc-3')).toBeUndefined();
    expect(await credit(inbox, 'acc-3')(event)).toBe('handled');
    expect(await balanceOf(db, 'acc-3')).toBe(100);
  });

  describe('through the broker', () => {
    let vhost: TestVhost;
    let broker: BrokerConnection;

    beforeEach(async () => {
      vhost = await createTestVhost('inbox');
      broker = new BrokerConnection({
        url: vhost.url,
        connectionName: 'inbox-test',
        logger: testLogger(),
      });
    });

    afterEach(async () => {
      await broker.close();
      await vhost.drop();
    });

    it('the same event delivered twice has one effect', async () => {
      const inbox = new Inbox(db, 'test-service.payments');
      const outcomes: InboxOutcome[] = [];
      const consumer = new EventConsumer(broker, {
        service: 'test-service',
        purpose: 'payments',
        handlers: [
          on(PaymentSucceededV1, async (event) => void outcomes.push(await credit(inbox, 'acc-broker')(event))),
        ],
        logger: testLogger(),
      });
      await consumer.start();
      const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
      const event = paymentSucceeded(undefined, 250);
      for (let i = 0; i < 2; i++) {
        await publisher.publish({
          exchange: 'payments',
          routingKey: PaymentSucceededV1.routingKey,
          event,
        });
      }

      await eventually(() => outcomes.length === 2, {
        message: 'both deliveries handled',
      });
      // Both copies are handled concurrently (prefetch), so either may be first.
      expect(outcomes.sort()).toEqual(['duplicate', 'handled']);
      expect(await balanceOf(db, 'acc-broker')).toBe(250);
      await consumer.stop();
      await publisher.close();
    });
  });
});

describe('EventTransactions', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'uow', prismaConfig: PRISMA_CONFIG });
    db = new Database({ url: database.url });
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('commits an event-triggered change, its inbox record and its emitted events together, once', async () => {
    const dispatched: string[] = [];
    const transactions = new EventTransactions(
      db,
      { dispatch: (messages) => dispatched.push(...messages.map((m) => m.id)) },
      'uow-test',
    );
    const incoming = paymentSucceeded(undefined, 40);
    const emitted = paymentSucceeded(incoming.payload.orderId, 40);
    const work = async (tx: SqlClient) => {
      await createAccount(tx, incoming.payload.orderId, 40);
      return { result: 'account opened', events: [emitted] };
    };
    // The work's result comes back like run's, once committed; a duplicate does not run the work.
    expect(await transactions.handleOnce(incoming, work)).toEqual({ outcome: 'handled', result: 'account opened' });
    expect(await transactions.handleOnce(incoming, work)).toEqual({ outcome: 'duplicate' });
    expect(await db.query(sql`SELECT id FROM outbox_events`)).toEqual([{ id: emitted.id }]);
    expect(await balanceOf(db, incoming.payload.orderId)).toBe(40);
    // Handed to the relay once committed, and only once: the duplicate emitted nothing.
    expect(dispatched).toEqual([emitted.id]);
  });

  it('keeps nothing, not even the events, when the work fails', async () => {
    const transactions = new EventTransactions(db, { dispatch: () => undefined }, 'uow-test');
    const event = paymentSucceeded();
    await expect(
      transactions.run(async (tx) => {
        await createAccount(tx, 'uow-failed', 1);
        await appendToOutbox(tx, [event]);
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(await db.query(sql`SELECT id FROM outbox_events WHERE id = ${event.id}::uuid`)).toEqual([]);
    expect(await balanceOf(db, 'uow-failed')).toBeUndefined();
  });
});
