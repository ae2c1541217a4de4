import { PaymentSucceededV1 } from '@shopflow/events';
import { createTestDatabase, createTestVhost, eventually, type TestDatabase, type TestVhost } from '@shopflow/testing';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  appendToOutbox,
  BrokerConnection,
  consumerNames,
  consumerTopology,
  declareTopology,
  DEFAULT_RETRY_POLICY,
  EventConsumer,
  EventPublisher,
  EventTransactions,
  Inbox,
  on,
  OutboxRelay,
  type OutboxRelayOptions,
  type InboxOutcome,
} from '../src';
import { Database, sql } from '@shopflow/postgres';
import {
  balanceOf,
  createAccount,
  creditAccount,
  inspector,
  paymentSucceeded,
  PRISMA_CONFIG,
  testLogger,
} from './harness';

describe('transactional outbox on a real PostgreSQL and RabbitMQ', () => {
  let database: TestDatabase;
  let db: Database;
  let vhost: TestVhost;
  let broker: BrokerConnection;
  let look: Awaited<ReturnType<typeof inspector>>;
  const QUEUE = 'outbox-test.payments';

  const unsent = async () => (await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM outbox_events`))[0]!.n;
  const relayWith = (publisher: EventPublisher, options: Partial<OutboxRelayOptions> = {}) =>
    new OutboxRelay({ db, publisher, logger: testLogger(), batchSize: 100, pollIntervalMs: 50, ...options });

  beforeEach(async () => {
    database = await createTestDatabase({
      prefix: 'outbox',
      prismaConfig: PRISMA_CONFIG,
    });
    db = new Database({ url: database.url });
    vhost = await createTestVhost('outbox');
    broker = new BrokerConnection({
      url: vhost.url,
      connectionName: 'outbox-test',
      logger: testLogger(),
    });
    look = await inspector(vhost.url);
    // The queue as the consumer of the last test declares it: bound to the event, with its retry path.
    const [service, purpose] = QUEUE.split('.') as [string, string];
    await declareTopology(
      look.channel,
      consumerTopology(consumerNames(service, purpose), [PaymentSucceededV1], DEFAULT_RETRY_POLICY),
    );
  });

  afterEach(async () => {
    await look.close();
    await broker.close();
    await vhost.drop();
    await db.close();
    await database.drop();
  });

  it('commits the state change and its events together, or neither', async () => {
    const kept = [paymentSucceeded(), paymentSucceeded()];
    await db.transaction(async (tx) => {
      await createAccount(tx, 'kept', 1);
      await appendToOutbox(tx, kept);
    });
    const lost = paymentSucceeded();
    await expect(
      db.transaction(async (tx) => {
        await createAccount(tx, 'lost', 1);
        await appendToOutbox(tx, [lost]);
        throw new Error('business rule broken after writing');
      }),
    ).rejects.toThrow('business rule broken');

    const rows = await db.query<{ id: string; exchange: string; routing_key: string }>(
      sql`SELECT id, exchange, routing_key FROM outbox_events ORDER BY created_at`,
    );
    expect(rows.map((r) => r.id).sort()).toEqual(kept.map((e) => e.id).sort());
    expect(rows[0]).toMatchObject({
      exchange: 'payments',
      routing_key: 'payment.succeeded.v1',
    });
    expect(await balanceOf(db, 'kept')).toBe(1);
    expect(await balanceOf(db, 'lost')).toBeUndefined();
  });

  it('publishes pending events with confirms and deletes their rows', async () => {
    const events = [paymentSucceeded(), paymentSucceeded(), paymentSucceeded()];
    await db.transaction(async (tx) => appendToOutbox(tx, events));
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);

    expect(await relayWith(publisher).publishBatch()).toBe(3);

    expect(await unsent()).toBe(0);
    const delivered = await look.drain(QUEUE);
    expect(delivered.map((m) => JSON.parse(m.content.toString()))).toEqual(expect.arrayContaining(events));
    expect(delivered).toHaveLength(3);
    expect(await relayWith(publisher).publishBatch()).toBe(0);
    await publisher.close();
  });

  it('publishes the rest of a batch when one row cannot be published, and leaves that one unsent', async () => {
    const events = [paymentSucceeded(), paymentSucceeded()];
    await db.transaction(async (tx) => {
      await appendToOutbox(tx, events);
      // A row naming an exchange this service does not own: the publisher refuses it.
      await tx.execute(sql`
        INSERT INTO outbox_events (id, exchange, routing_key, message)
        VALUES (gen_random_uuid(), 'no-such-exchange', 'x', ${JSON.stringify(paymentSucceeded())}::jsonb)`);
    });
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);

    expect(await relayWith(publisher).publishBatch()).toBe(2);

    const delivered = await look.drain(QUEUE);
    expect(delivered.map((m) => JSON.parse(m.content.toString()).id).sort()).toEqual(events.map((e) => e.id).sort());
    const stuck = await db.query<{ exchange: string }>(sql`SELECT exchange FROM outbox_events`);
    expect(stuck).toEqual([{ exchange: 'no-such-exchange' }]);
    // Published on a channel still open: the next event goes out too.
    await db.transaction(async (tx) => appendToOutbox(tx, [paymentSucceeded()]));
    expect(await relayWith(publisher).publishBatch()).toBe(1);
    await db.execute(sql`DELETE FROM outbox_events WHERE exchange = 'no-such-exchange'`);
    await look.drain(QUEUE);
    await publisher.close();
  });

  it('publishes soon after wake() and keeps polling for rows written elsewhere', async () => {
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    const relay = relayWith(publisher);
    relay.start();
    await db.transaction(async (tx) => appendToOutbox(tx, [paymentSucceeded()]));
    relay.wake();
    await eventually(async () => (await unsent()) === 0 && (await look.count(QUEUE)) === 1);
    // Written by "another replica": nobody wakes this relay, its poll finds the row.
    await db.transaction(async (tx) => appendToOutbox(tx, [paymentSucceeded()]));
    await eventually(async () => (await unsent()) === 0 && (await look.count(QUEUE)) === 2);
    await relay.stop();
    await publisher.close();
  });

  it('publishes what a transaction committed at once, without waiting for the poll, and deletes its rows', async () => {
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    // A poll that would take a minute to come round, and would leave young rows alone anyway.
    const relay = relayWith(publisher, { pollIntervalMs: 60_000, claimAfterMs: 60_000 });
    relay.start();
    const transactions = new EventTransactions(db, relay, 'dispatch-test');
    const events = Array.from({ length: 20 }, () => paymentSucceeded());
    // Twenty transactions committing at once: dispatched in as many publish rounds as it takes, none left behind.
    await Promise.all(events.map((event) => transactions.run(async () => ({ result: undefined, events: [event] }))));
    await eventually(async () => (await unsent()) === 0 && (await look.count(QUEUE)) === 20, { timeoutMs: 10_000 });
    await relay.stop();
    expect(await look.count(QUEUE)).toBe(20);
    await publisher.close();
  });

  it("deletes a dispatch's rows in the service's next transaction, or by itself when none comes", async () => {
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    const relay = relayWith(publisher, { pollIntervalMs: 60_000, deleteWithinMs: 60_000 });
    let transactionsRun = 0;
    const counting = {
      transaction: <R>(work: Parameters<Database['transaction']>[0]) => (
        transactionsRun++,
        db.transaction(work) as Promise<R>
      ),
    };
    // Batched, as the services run.
    const transactions = new EventTransactions(counting, relay, 'delete-along-test', { maxBatch: 16 });
    await transactions.run(async () => ({ result: undefined, events: [paymentSucceeded()] }));
    await relay.dispatched();
    expect(await look.count(QUEUE)).toBe(1);
    // Published, still in the outbox: nothing deleted it on its own.
    expect(await unsent()).toBe(1);
    await transactions.run(async () => ({ result: undefined, events: [] }));
    // The next transaction deleted it on the way, and there was no other.
    expect(await unsent()).toBe(0);
    expect(transactionsRun).toBe(2);

    // With no transaction to come, the relay deletes them itself within deleteWithinMs.
    const soon = relayWith(publisher, { pollIntervalMs: 60_000, deleteWithinMs: 20 });
    await new EventTransactions(db, soon, 'delete-alone-test').run(async () => ({
      result: undefined,
      events: [paymentSucceeded()],
    }));
    await eventually(async () => (await unsent()) === 0, { timeoutMs: 5000 });
    expect(await look.count(QUEUE)).toBe(2);
    await relay.stop();
    await soon.stop();
    await publisher.close();
  });

  it("deletes a dispatch's rows without leaving synchronous_commit off on the pooled session", async () => {
    // One connection: the delete and the check below must share a session.
    const single = new Database({ url: database.url, poolSize: 1 });
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    const relay = new OutboxRelay({ db: single, publisher, logger: testLogger(), pollIntervalMs: 60_000 });
    relay.start();
    await new EventTransactions(single, relay, 'relaxed-delete-test').run(async () => ({
      result: undefined,
      events: [paymentSucceeded()],
    }));
    await eventually(async () => (await unsent()) === 0, { timeoutMs: 10_000 });
    await relay.stop();
    const [setting] = await single.query<{ synchronous_commit: string }>(sql`SHOW synchronous_commit`);
    expect(setting?.synchronous_commit).toBe('on');
    await publisher.close();
    await single.close();
  });

  it('leaves rows younger than claimAfterMs to the process that is dispatching them', async () => {
    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    const relay = new OutboxRelay({ db, publisher, logger: testLogger(), claimAfterMs: 60_000 });
    await db.transaction(async (tx) => appendToOutbox(tx, [paymentSucceeded()]));
    expect(await relay.publishBatch()).toBe(0);
    expect(await relayWith(publisher).publishBatch()).toBe(1);
    await publisher.close();
  });

  it('lets several replicas relay at once without publishing an event twice', async () => {
    const events = Array.from({ length: 300 }, () => paymentSucceeded());
    await db.transaction(async (tx) => appendToOutbox(tx, events));
    const replicas = [1, 2, 3].map((n) => {
      const connection = new BrokerConnection({
        url: vhost.url,
        connectionName: `relay-${n}`,
        logger: testLogger(),
      });
      const publisher = new EventPublisher(connection, [PaymentSucceededV1]);
      return { connection, publisher, relay: relayWith(publisher, { batchSize: 10 }) };
    });
    replicas.forEach((r) => r.relay.start());

    await eventually(async () => (await unsent()) === 0, {
      timeoutMs: 20_000,
      message: 'all rows published',
    });
    for (const r of replicas) {
      await r.relay.stop();
      await r.publisher.close();
      await r.connection.close();
    }
    const delivered = await look.drain(QUEUE);
    const ids = delivered.map((m) => (JSON.parse(m.content.toString()) as { id: string }).id);
    expect(new Set(ids).size).toBe(300);
    expect(ids).toHaveLength(300);
  });

  it('a relay killed between publish and mark: the event is delivered after restart, the duplicate absorbed by the inbox', async () => {
    const event = paymentSucceeded(undefined, 500);
    await db.transaction(async (tx) => appendToOutbox(tx, [event]));

    const child = spawn(process.execPath, ['--import', 'tsx', `${__dirname}/fixtures/crashing-relay.ts`], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        AMQP_URL: vhost.url,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const [code, signal] = await once(child, 'exit');
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await unsent()).toBe(1);
    expect(await look.count(QUEUE)).toBe(1);

    const publisher = new EventPublisher(broker, [PaymentSucceededV1]);
    expect(await relayWith(publisher).publishBatch()).toBe(1);
    expect(await unsent()).toBe(0);
    expect(await look.count(QUEUE)).toBe(2);

    const inbox = new Inbox(db, QUEUE);
    const outcomes: InboxOutcome[] = [];
    const [service, purpose] = QUEUE.split('.') as [string, string];
    expect(consumerNames(service, purpose).queue).toBe(QUEUE);
    const consumer = new EventConsumer(broker, {
      service,
      purpose,
      logger: testLogger(),
      handlers: [
        on(PaymentSucceededV1, async (e) => {
          outcomes.push(await inbox.handleOnce(e, (tx) => creditAccount(tx, 'crash', e.payload.amount.amount)));
        }),
      ],
    });
    await consumer.start();
    await eventually(() => outcomes.length === 2, {
      message: 'both copies consumed',
    });
    // Both copies are handled concurrently (prefetch), so either may be first.
    expect(outcomes.sort()).toEqual(['duplicate', 'handled']);
    expect(await balanceOf(db, 'crash')).toBe(500);
    await consumer.stop();
    await publisher.close();
  }, 30_000);
});
