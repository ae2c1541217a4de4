import {
  Database,
  isUniqueViolation,
  sql,
  type SqlClient,
  type Transaction,
  type TransactionRunner,
} from '@shopflow/postgres';
import { createServiceMetrics } from '@shopflow/observability';
import { createTestDatabase, parseExposition, sampleValue, type TestDatabase } from '@shopflow/testing';
import { type Envelope } from '@shopflow/events';
import { EventTransactions, type InboxOutcome, type OutboxMessage, type Work } from '../src';
import { balanceOf, createAccount, creditAccount, paymentSucceeded, PRISMA_CONFIG } from './harness';

/** A gate a unit waits at until the test (or another unit) opens it. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('group commit (EventTransactions with maxBatch) on a real PostgreSQL', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'group', prismaConfig: PRISMA_CONFIG });
    db = new Database({ url: database.url });
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** EventTransactions over `over` (default `db`), counting its transactions and keeping what it dispatched. */
  function batched(consumer: string, maxBatch = 16, over: Database = db, maxConcurrentBatches = 1) {
    const counted = { transactions: 0 };
    const runner: TransactionRunner = {
      transaction: (work) => {
        counted.transactions += 1;
        return over.transaction(work);
      },
    };
    const dispatched: OutboxMessage[] = [];
    const transactions = new EventTransactions(
      runner,
      { dispatch: (messages) => dispatched.push(...messages) },
      consumer,
      { maxBatch, maxConcurrentBatches },
    );
    return { transactions: eventsOnly(transactions), counted, dispatched };
  }

  /** `handleOnce` as these tests use it: work that returns only its events, answered by the inbox outcome. */
  function eventsOnly(transactions: EventTransactions) {
    return {
      run: <R>(work: Work<R>) => transactions.run(work),
      handleOnce: async (event: Pick<Envelope, 'id'>, work: (tx: Transaction) => Promise<readonly Envelope[]>) => {
        const handled = await transactions.handleOnce(event, async (tx) => ({
          result: undefined,
          events: await work(tx),
        }));
        return handled.outcome;
      },
    };
  }

  const credit = (accountId: string, amount: number) => async (tx: SqlClient) => {
    await creditAccount(tx, accountId, amount);
    return [paymentSucceeded(undefined, amount)];
  };

  /** How many of `ids` are in the outbox. */
  async function inOutbox(ids: string[]): Promise<number> {
    const [row] = await db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM outbox_events WHERE id = ANY(${ids}::uuid[])`,
    );
    return row!.n;
  }

  it('starts a batch once the turn that submitted its first unit is over: the units of one turn share it', async () => {
    const { transactions, counted } = batched('group.turn');
    // As the deliveries of one socket read arrive: all in one turn of the event loop.
    const events = Array.from({ length: 5 }, () => paymentSucceeded(undefined, 1));
    const handled = await Promise.all(events.map((event) => transactions.handleOnce(event, credit('group-turn', 1))));
    expect(handled).toEqual(Array(5).fill('handled'));
    expect(counted.transactions).toBe(1);
    expect(await balanceOf(db, 'group-turn')).toBe(5);
  });

  it('with two batches allowed, starts a second beside a running one only once half a batch waits', async () => {
    const { transactions, counted } = batched('group.concurrent', 4, db, 2);
    const [running, release] = [gate(), gate()];
    const blocker = transactions.run(
      async () => (running.open(), await release.opened, { result: 'blocker', events: [] }),
    );
    await running.opened;
    const [early, late] = [paymentSucceeded(undefined, 1), paymentSucceeded(undefined, 1)];
    const waiting = transactions.handleOnce(early, credit('group-concurrent', 1));
    // A round trip is several turns of the event loop: long enough for a batch to start, had one unit started one.
    await db.query(sql`SELECT 1`);
    const half = [waiting, transactions.handleOnce(late, credit('group-concurrent', 1))];
    // The two units commit together while the blocker still holds the first transaction open.
    expect(await Promise.all(half)).toEqual(['handled', 'handled']);
    expect(counted.transactions).toBe(2);
    expect(await balanceOf(db, 'group-concurrent')).toBe(2);
    release.open();
    expect(await blocker).toBe('blocker');
  });

  it("observes each batch's units and how long it ran", async () => {
    const metrics = createServiceMetrics('group-test', { defaultMetrics: false });
    const transactions = new EventTransactions(db, { dispatch: () => undefined }, 'group.metrics', {
      maxBatch: 16,
      metrics,
    });
    const events = Array.from({ length: 5 }, () => paymentSucceeded(undefined, 1));
    await Promise.all(
      events.map((event) =>
        transactions.handleOnce(event, async (tx) => ({
          result: undefined,
          events: await credit('group-metrics', 1)(tx),
        })),
      ),
    );
    const exposition = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(exposition, 'shopflow_transaction_batch_units_count')).toBe(1);
    expect(sampleValue(exposition, 'shopflow_transaction_batch_units_sum')).toBe(5);
    expect(sampleValue(exposition, 'shopflow_transaction_batch_duration_seconds_count')).toBe(1);
    expect(sampleValue(exposition, 'shopflow_transaction_batch_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('answers each unit of a batch with its own result, and a duplicate with no result', async () => {
    const transactions = new EventTransactions(db, { dispatch: () => undefined }, 'group.results', { maxBatch: 16 });
    const events = Array.from({ length: 4 }, () => paymentSucceeded(undefined, 2));
    const work = (n: number) => async (tx: Transaction) => {
      await creditAccount(tx, 'group-results', 2);
      return { result: `unit ${n}`, events: [] };
    };
    const handled = await Promise.all([
      ...events.map((event, n) => transactions.handleOnce(event, work(n))),
      transactions.run(async () => ({ result: 'request', events: [] })),
    ]);
    expect(handled).toEqual([
      { outcome: 'handled', result: 'unit 0' },
      { outcome: 'handled', result: 'unit 1' },
      { outcome: 'handled', result: 'unit 2' },
      { outcome: 'handled', result: 'unit 3' },
      'request',
    ]);
    expect(await transactions.handleOnce(events[2]!, work(9))).toEqual({ outcome: 'duplicate' });
    expect(await balanceOf(db, 'group-results')).toBe(8);
  });

  it('commits units submitted together in one transaction, each once, with all their events', async () => {
    const { transactions, counted, dispatched } = batched('group.many');
    const [running, first] = [gate(), gate()];
    const blocker = transactions.handleOnce(paymentSucceeded(), async (tx) => {
      running.open();
      await first.opened;
      return credit('group-many', 1)(tx);
    });
    // Submitted while the blocker's transaction runs: they wait for it, then share the next one.
    await running.opened;
    const events = Array.from({ length: 12 }, () => paymentSucceeded(undefined, 10));
    const handled = Promise.all(events.map((event) => transactions.handleOnce(event, credit('group-many', 10))));
    first.open();

    expect(await blocker).toBe('handled');
    expect(await handled).toEqual(Array(12).fill('handled'));
    expect(counted.transactions).toBe(2);
    expect(await balanceOf(db, 'group-many')).toBe(121);
    expect(dispatched).toHaveLength(13);
    expect(await inOutbox(dispatched.map((m) => m.id))).toBe(13);
    // Each event is recorded: a redelivery is a duplicate, with no effect.
    expect(await transactions.handleOnce(events[3]!, credit('group-many', 10))).toBe('duplicate');
    expect(await balanceOf(db, 'group-many')).toBe(121);
  });

  it('fails only the unit that failed: its changes, events and inbox record are rolled back, the rest commit', async () => {
    const { transactions, dispatched } = batched('group.failure');
    const first = gate();
    const blocker = transactions.run(async () => {
      await first.opened;
      return { result: 'done', events: [] };
    });
    const [before, failing, after] = [paymentSucceeded(), paymentSucceeded(), paymentSucceeded()];
    const outcomes = Promise.allSettled([
      transactions.handleOnce(before, credit('group-before', 5)),
      transactions.handleOnce(failing, async (tx) => {
        await credit('group-failing', 7)(tx);
        throw new Error('rule broken');
      }),
      transactions.handleOnce(after, credit('group-after', 9)),
    ]);
    first.open();

    expect(await blocker).toBe('done');
    const [a, b, c] = await outcomes;
    expect(a).toEqual({ status: 'fulfilled', value: 'handled' });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('rule broken') });
    expect(c).toEqual({ status: 'fulfilled', value: 'handled' });
    expect([
      await balanceOf(db, 'group-before'),
      await balanceOf(db, 'group-failing'),
      await balanceOf(db, 'group-after'),
    ]).toEqual([5, undefined, 9]);
    expect(dispatched).toHaveLength(2);
    expect(await inOutbox(dispatched.map((m) => m.id))).toBe(2);
    // Its inbox record went with it, so the redelivery is handled.
    expect(await transactions.handleOnce(failing, credit('group-failing', 7))).toBe('handled');
    expect(await balanceOf(db, 'group-failing')).toBe(7);
  });

  describe('a statement a unit sent without waiting (Transaction.send) that fails', () => {
    /** A unit that credits `accountId`, then sends an INSERT that breaks the accounts' primary key. */
    const creditThenBreakKey = (accountId: string, amount: number) => async (tx: Transaction) => {
      await creditAccount(tx, accountId, amount);
      tx.sendWithoutWaiting(sql`INSERT INTO accounts (id, balance) VALUES (${'group-taken'}, ${1})`);
      return [paymentSucceeded(undefined, amount)];
    };

    beforeAll(async () => {
      await db.transaction(async (tx) => createAccount(tx, 'group-taken', 0));
    });

    it('fails the unit that sent it, though the next unit reported it; the units after it commit, each once', async () => {
      const { transactions, dispatched } = batched('group.sent');
      const first = gate();
      const blocker = transactions.run(async () => (await first.opened, { result: 1, events: [] }));
      const [sender, reporter, last] = [paymentSucceeded(), paymentSucceeded(), paymentSucceeded()];
      const outcomes = Promise.allSettled([
        transactions.handleOnce(sender, creditThenBreakKey('group-sent-a', 3)),
        transactions.handleOnce(reporter, credit('group-sent-b', 4)),
        transactions.handleOnce(last, credit('group-sent-c', 5)),
      ]);
      first.open();
      await blocker;

      const [a, b, c] = await outcomes;
      expect(a.status === 'rejected' && isUniqueViolation(a.reason, 'accounts_pkey')).toBe(true);
      expect([b, c]).toEqual([
        { status: 'fulfilled', value: 'handled' },
        { status: 'fulfilled', value: 'handled' },
      ]);
      expect([
        await balanceOf(db, 'group-sent-a'),
        await balanceOf(db, 'group-sent-b'),
        await balanceOf(db, 'group-sent-c'),
      ]).toEqual([undefined, 4, 5]);
      expect(dispatched.map((m) => (m.event.payload as { amount: { amount: number } }).amount.amount)).toEqual([4, 5]);
      // The failed unit's inbox record went with it; the others' stayed.
      expect(await transactions.handleOnce(reporter, credit('group-sent-b', 4))).toBe('duplicate');
      expect(await transactions.handleOnce(sender, credit('group-sent-a', 3))).toBe('handled');
      expect(await balanceOf(db, 'group-sent-a')).toBe(3);
    });

    it("fails the last unit of a batch when the batch's final wait reports it; the others commit", async () => {
      const { transactions } = batched('group.sent-last');
      const first = gate();
      const blocker = transactions.run(async () => (await first.opened, { result: 1, events: [] }));
      const outcomes = Promise.allSettled([
        transactions.handleOnce(paymentSucceeded(), credit('group-last-a', 2)),
        transactions.handleOnce(paymentSucceeded(), creditThenBreakKey('group-last-b', 6)),
      ]);
      first.open();
      await blocker;

      const [a, b] = await outcomes;
      expect(a).toEqual({ status: 'fulfilled', value: 'handled' });
      expect(b.status === 'rejected' && isUniqueViolation(b.reason, 'accounts_pkey')).toBe(true);
      expect([await balanceOf(db, 'group-last-a'), await balanceOf(db, 'group-last-b')]).toEqual([2, undefined]);
    });

    it('fails a unit alone in its transaction by the COMMIT that follows its sent statement: nothing of it stays', async () => {
      const { transactions } = batched('group.sent-alone');
      const event = paymentSucceeded();
      const outcome = await transactions.handleOnce(event, creditThenBreakKey('group-alone-sent', 2)).catch((e) => e);
      expect(isUniqueViolation(outcome, 'accounts_pkey')).toBe(true);
      expect(await balanceOf(db, 'group-alone-sent')).toBeUndefined();
      expect(await transactions.handleOnce(event, credit('group-alone-sent', 2))).toBe('handled');
    });

    it('keeps the inbox record of a duplicate that a failure reported after it undid: the duplicate is not handled again', async () => {
      const { transactions } = batched('group.sent-duplicate');
      const handledBefore = paymentSucceeded();
      expect(await transactions.handleOnce(handledBefore, credit('group-dup-b', 4))).toBe('handled');
      const first = gate();
      const blocker = transactions.run(async () => (await first.opened, { result: 1, events: [] }));
      // The sender's failure is reported by the last unit's wait, after the duplicate: both are undone.
      const outcomes = Promise.allSettled([
        transactions.handleOnce(paymentSucceeded(), creditThenBreakKey('group-dup-a', 3)),
        transactions.handleOnce(handledBefore, credit('group-dup-b', 4)),
        transactions.handleOnce(paymentSucceeded(), credit('group-dup-c', 5)),
      ]);
      first.open();
      await blocker;

      const [, duplicate, last] = await outcomes;
      expect([duplicate, last]).toEqual([
        { status: 'fulfilled', value: 'duplicate' },
        { status: 'fulfilled', value: 'handled' },
      ]);
      expect([await balanceOf(db, 'group-dup-b'), await balanceOf(db, 'group-dup-c')]).toEqual([4, 5]);
    });
  });

  describe("a batch's first unit, run before the inbox has answered", () => {
    it('is undone when its event was handled before: no change, no event, and no result for the caller', async () => {
      const { transactions, dispatched } = batched('group.ahead');
      const event = paymentSucceeded();
      expect(await transactions.handleOnce(event, credit('group-ahead', 3))).toBe('handled');
      dispatched.length = 0;
      expect(await transactions.handleOnce(event, credit('group-ahead', 3))).toBe('duplicate');
      expect(await balanceOf(db, 'group-ahead')).toBe(3);
      expect(dispatched).toEqual([]);
    });

    it('is a duplicate, not a failure, when its work fails on what the first handling did', async () => {
      const { transactions } = batched('group.ahead-fails');
      const event = paymentSucceeded();
      const createOnce = async (tx: Transaction) => (await createAccount(tx, 'group-ahead-fails', 1), []);
      expect(await transactions.handleOnce(event, createOnce)).toBe('handled');
      // Alone in its transaction, then first of a batch whose other units commit.
      expect(await transactions.handleOnce(event, createOnce)).toBe('duplicate');
      const [started, first] = [gate(), gate()];
      const blocker = transactions.run(async () => (started.open(), await first.opened, { result: 1, events: [] }));
      // The next batch forms while this one runs: the duplicate is its first unit.
      await started.opened;
      const outcomes = Promise.all([
        transactions.handleOnce(event, async (tx) => {
          tx.sendWithoutWaiting(sql`INSERT INTO accounts (id, balance) VALUES (${'group-ahead-fails'}, ${2})`);
          return [];
        }),
        transactions.handleOnce(paymentSucceeded(), credit('group-ahead-next', 6)),
      ]);
      first.open();
      await blocker;
      expect(await outcomes).toEqual(['duplicate', 'handled']);
      expect([await balanceOf(db, 'group-ahead-fails'), await balanceOf(db, 'group-ahead-next')]).toEqual([1, 6]);
    });
  });

  it('handles two copies of one event in the same batch once', async () => {
    const { transactions } = batched('group.copies');
    const first = gate();
    const blocker = transactions.run(async () => (await first.opened, { result: 1, events: [] }));
    const event = paymentSucceeded(undefined, 4);
    const outcomes = Promise.all([
      transactions.handleOnce(event, credit('group-copies', 4)),
      transactions.handleOnce({ id: event.id.toUpperCase() }, credit('group-copies', 4)),
    ]);
    first.open();
    await blocker;
    expect((await outcomes).sort()).toEqual(['duplicate', 'handled']);
    expect(await balanceOf(db, 'group-copies')).toBe(4);
  });

  it('answers a unit that lost a unique-key race within its batch only once the winner is committed', async () => {
    const { transactions } = batched('group.unique');
    const first = gate();
    const blocker = transactions.run(async () => (await first.opened, { result: 1, events: [] }));
    const winner = transactions.run(async (tx) => {
      await createAccount(tx, 'group-unique', 1);
      return { result: 'winner', events: [] };
    });
    const loser = transactions
      .run(async (tx) => {
        await createAccount(tx, 'group-unique', 2);
        return { result: 'loser', events: [] };
      })
      // What the loser sees when it is told: the winner's committed row.
      .catch(async (error: unknown) => ({
        uniqueViolation: isUniqueViolation(error, 'accounts_pkey'),
        seen: await balanceOf(db, 'group-unique'),
      }));
    first.open();
    await blocker;
    expect(await winner).toBe('winner');
    expect(await loser).toEqual({ uniqueViolation: true, seen: 1 });
  });

  it('takes no savepoint for a unit alone in its transaction, and its failure rolls everything back', async () => {
    const { transactions, counted } = batched('group.alone');
    await expect(
      transactions.run(async (tx) => {
        await createAccount(tx, 'group-alone', 3);
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(counted.transactions).toBe(1);
    expect(await balanceOf(db, 'group-alone')).toBeUndefined();
  });

  it('stops a batch at a unit kept waiting on a lock: that unit runs alone, then the units the batch had not reached, each once', async () => {
    const { transactions, counted } = batched('group.stop');
    await db.execute(sql`INSERT INTO accounts (id, balance) VALUES ('stop-held', 0)`);
    // Another transaction holds the row until the test lets it go.
    const [holding, release] = [gate(), gate()];
    const holder = db.transaction(async (tx) => {
      await tx.query(sql`SELECT balance FROM accounts WHERE id = 'stop-held' FOR UPDATE`);
      holding.open();
      await release.opened;
    });
    await holding.opened;

    const [running, first] = [gate(), gate()];
    const blocker = transactions.run(
      async () => (running.open(), await first.opened, { result: 'blocker', events: [] }),
    );
    await running.opened;
    const [waits, after1, after2] = [paymentSucceeded(), paymentSucceeded(), paymentSucceeded()];
    let attempts = 0;
    const outcomes = Promise.all([
      transactions.handleOnce(waits, async (tx) => {
        attempts += 1;
        // Once it has given up in its batch, the row is let go for its run alone.
        if (attempts === 2) release.open();
        await tx.execute(sql`UPDATE accounts SET balance = balance + 1 WHERE id = 'stop-held'`);
        return [];
      }),
      transactions.handleOnce(after1, credit('stop-after', 10)),
      transactions.handleOnce(after2, credit('stop-after', 100)),
    ]);
    first.open();

    await Promise.all([blocker, holder]);
    expect(await outcomes).toEqual(['handled', 'handled', 'handled']);
    expect(attempts).toBe(2);
    expect([await balanceOf(db, 'stop-held'), await balanceOf(db, 'stop-after')]).toEqual([1, 110]);
    // The blocker's, the batch that stopped, the waiting unit's own, and the rest's.
    expect(counted.transactions).toBe(4);
    for (const event of [waits, after1, after2]) {
      expect(await transactions.handleOnce(event, credit('stop-after', 1000))).toBe('duplicate');
    }
    expect(await balanceOf(db, 'stop-after')).toBe(110);
  });

  it('two replicas whose batches lock the same two rows in opposite order: a unit kept waiting on a lock runs alone after its batch, and every unit commits once', async () => {
    // Two replicas of one service: each its own pool and group commit, on the same database.
    const replicaDbs = [new Database({ url: database.url }), new Database({ url: database.url })];
    try {
      const [x, y] = replicaDbs.map((over) => batched('group.replicas', 16, over)) as [
        ReturnType<typeof batched>,
        ReturnType<typeof batched>,
      ];
      await db.execute(sql`INSERT INTO accounts (id, balance) VALUES ('lock-a', 0), ('lock-b', 0)`);

      /** Locks the account's row (kept until the batch's transaction ends), then credits it. */
      const lockAndCredit = (accountId: string, amount: number) => async (tx: SqlClient) => {
        await tx.query(sql`SELECT balance FROM accounts WHERE id = ${accountId} FOR UPDATE`);
        await tx.execute(sql`UPDATE accounts SET balance = balance + ${amount}::int WHERE id = ${accountId}`);
        return [paymentSucceeded(undefined, amount)];
      };
      // Each batch's first unit holds its lock until the other batch holds its own: only then do
      // the second units ask for the row the other batch has locked.
      const xHoldsA = gate();
      const yHoldsB = gate();
      const lockFirst =
        (accountId: string, amount: number, held: ReturnType<typeof gate>, otherHeld: Promise<void>) =>
        async (tx: SqlClient) => {
          const events = await lockAndCredit(accountId, amount)(tx);
          held.open();
          await otherHeld;
          return events;
        };

      // A blocker per replica holds its transaction while the two units queue up behind it: they share the next batch.
      const [xFirst, yFirst, xRunning, yRunning] = [gate(), gate(), gate(), gate()];
      const blockers = [
        x.transactions.run(async () => (xRunning.open(), await xFirst.opened, { result: 'x', events: [] })),
        y.transactions.run(async () => (yRunning.open(), await yFirst.opened, { result: 'y', events: [] })),
      ];
      await Promise.all([xRunning.opened, yRunning.opened]);
      const events = { x1: paymentSucceeded(), x2: paymentSucceeded(), y1: paymentSucceeded(), y2: paymentSucceeded() };
      const units: [keyof typeof events, Promise<InboxOutcome>][] = [
        ['x1', x.transactions.handleOnce(events.x1, lockFirst('lock-a', 1, xHoldsA, yHoldsB.opened))],
        ['x2', x.transactions.handleOnce(events.x2, lockAndCredit('lock-b', 10))],
        ['y1', y.transactions.handleOnce(events.y1, lockFirst('lock-b', 100, yHoldsB, xHoldsA.opened))],
        ['y2', y.transactions.handleOnce(events.y2, lockAndCredit('lock-a', 1000))],
      ];
      xFirst.open();
      yFirst.open();

      expect(await Promise.all(blockers)).toEqual(['x', 'y']);
      const settled = await Promise.allSettled(units.map(([, outcome]) => outcome));
      expect(Object.fromEntries(units.map(([name], i) => [name, settled[i]]))).toEqual({
        x1: { status: 'fulfilled', value: 'handled' },
        x2: { status: 'fulfilled', value: 'handled' },
        y1: { status: 'fulfilled', value: 'handled' },
        y2: { status: 'fulfilled', value: 'handled' },
      });
      // lock-a: x1 + y2, lock-b: x2 + y1, each credit once.
      expect([await balanceOf(db, 'lock-a'), await balanceOf(db, 'lock-b')]).toEqual([1001, 110]);
      // A blocker and a batch per replica, plus one transaction per unit taken out of its batch (one or both).
      expect(x.counted.transactions + y.counted.transactions).toBeGreaterThanOrEqual(5);
      expect(x.counted.transactions + y.counted.transactions).toBeLessThanOrEqual(6);
      // Each unit's event in the outbox once, dispatched once.
      const dispatched = [...x.dispatched, ...y.dispatched].map((m) => m.id);
      expect(dispatched).toHaveLength(4);
      expect(new Set(dispatched).size).toBe(4);
      expect(await inOutbox(dispatched)).toBe(4);
      // Every event is recorded in the inbox: redelivered to either replica, it is a duplicate with no effect.
      expect(await x.transactions.handleOnce(events.y2, lockAndCredit('lock-a', 1000))).toBe('duplicate');
      expect(await y.transactions.handleOnce(events.x2, lockAndCredit('lock-b', 10))).toBe('duplicate');
      const [recorded] = await db.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM inbox_events WHERE consumer = 'group.replicas'`,
      );
      expect(recorded!.n).toBe(4);
      expect([await balanceOf(db, 'lock-a'), await balanceOf(db, 'lock-b')]).toEqual([1001, 110]);
    } finally {
      await Promise.all(replicaDbs.map((replica) => replica.close()));
    }
  });
});
