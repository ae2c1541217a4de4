import { createTestDatabase, type TestDatabase } from '@shopflow/testing';
import { EventTransactions, type OutboxMessage, type TransactionRunner } from '../src';
import { type Prisma, type PrismaClient } from './generated/prisma/client';
import { paymentSucceeded, PRISMA_CONFIG, prismaFor } from './harness';

type Tx = Prisma.TransactionClient;

/** A gate the first unit waits at, so that the units submitted meanwhile queue up and share the next batch. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('group commit (EventTransactions with maxBatch) on a real PostgreSQL', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'group', prismaConfig: PRISMA_CONFIG });
    prisma = prismaFor(database.url);
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  /** EventTransactions over `prisma`, counting the transactions it opens and keeping what it dispatched. */
  function batched(consumer: string, maxBatch = 16) {
    const counted = { transactions: 0 };
    const runner: TransactionRunner<Tx> = {
      $transaction: (work, options) => {
        counted.transactions += 1;
        return prisma.$transaction(work, options);
      },
    };
    const dispatched: OutboxMessage[] = [];
    const transactions = new EventTransactions<Tx>(
      runner,
      { dispatch: (messages) => dispatched.push(...messages) },
      consumer,
      { maxBatch },
    );
    return { transactions, counted, dispatched };
  }

  const credit = (accountId: string, amount: number) => async (tx: Tx) => {
    await tx.account.upsert({
      where: { id: accountId },
      create: { id: accountId, balance: amount },
      update: { balance: { increment: amount } },
    });
    return [paymentSucceeded(undefined, amount)];
  };

  async function balance(accountId: string): Promise<number | undefined> {
    return (await prisma.account.findUnique({ where: { id: accountId } }))?.balance;
  }

  it('commits units submitted together in one transaction, each once, with all their events', async () => {
    const { transactions, counted, dispatched } = batched('group.many');
    const first = gate();
    const blocker = transactions.handleOnce(paymentSucceeded(), async (tx) => {
      await first.opened;
      return credit('group-many', 1)(tx);
    });
    const events = Array.from({ length: 12 }, () => paymentSucceeded(undefined, 10));
    const handled = Promise.all(events.map((event) => transactions.handleOnce(event, credit('group-many', 10))));
    first.open();

    expect(await blocker).toBe('handled');
    expect(await handled).toEqual(Array(12).fill('handled'));
    expect(counted.transactions).toBe(2);
    expect(await balance('group-many')).toBe(121);
    expect(dispatched).toHaveLength(13);
    expect(await prisma.outboxEvent.count({ where: { id: { in: dispatched.map((m) => m.id) } } })).toBe(13);
    // Each event is recorded: a redelivery is a duplicate, with no effect.
    expect(await transactions.handleOnce(events[3]!, credit('group-many', 10))).toBe('duplicate');
    expect(await balance('group-many')).toBe(121);
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
    expect([await balance('group-before'), await balance('group-failing'), await balance('group-after')]).toEqual([
      5,
      undefined,
      9,
    ]);
    expect(dispatched).toHaveLength(2);
    // Its inbox record went with it, so the redelivery is handled.
    expect(await transactions.handleOnce(failing, credit('group-failing', 7))).toBe('handled');
    expect(await balance('group-failing')).toBe(7);
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
    expect(await balance('group-copies')).toBe(4);
  });

  it('answers a unit that lost a unique-key race within its batch only once the winner is committed', async () => {
    const { transactions } = batched('group.unique');
    const first = gate();
    const blocker = transactions.run(async () => (await first.opened, { result: 1, events: [] }));
    const winner = transactions.run(async (tx) => {
      await tx.account.create({ data: { id: 'group-unique', balance: 1 } });
      return { result: 'winner', events: [] };
    });
    const loser = transactions
      .run(async (tx) => {
        await tx.account.create({ data: { id: 'group-unique', balance: 2 } });
        return { result: 'loser', events: [] };
      })
      // What the loser sees when it is told: the winner's committed row.
      .catch(async (error: unknown) => ({ error, seen: await balance('group-unique') }));
    first.open();
    await blocker;
    expect(await winner).toBe('winner');
    expect(await loser).toMatchObject({ error: expect.objectContaining({ code: 'P2002' }), seen: 1 });
  });

  it('takes no savepoint for a unit alone in its transaction, and its failure rolls everything back', async () => {
    const { transactions, counted } = batched('group.alone');
    await expect(
      transactions.run(async (tx) => {
        await tx.account.create({ data: { id: 'group-alone', balance: 3 } });
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(counted.transactions).toBe(1);
    expect(await balance('group-alone')).toBeUndefined();
  });
});
