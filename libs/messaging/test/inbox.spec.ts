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
import { type Prisma, type PrismaClient } from './generated/prisma/client';
import { paymentSucceeded, PRISMA_CONFIG, prismaFor, testLogger } from './harness';

describe('idempotent consumer (inbox) on a real PostgreSQL and RabbitMQ', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase({
      prefix: 'inbox',
      prismaConfig: PRISMA_CONFIG,
    });
    prisma = prismaFor(database.url);
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  const credit =
    (inbox: Inbox<Prisma.TransactionClient>, accountId: string) => (event: ReturnType<typeof paymentSucceeded>) =>
      inbox.handleOnce(event, async (tx) => {
        await tx.account.upsert({
          where: { id: accountId },
          create: { id: accountId, balance: event.payload.amount.amount },
          update: { balance: { increment: event.payload.amount.amount } },
        });
      });

  it('records the event with its effects, so a second delivery has no effect', async () => {
    const inbox = new Inbox(prisma, 'test.inbox');
    const event = paymentSucceeded(undefined, 700);
    expect(await credit(inbox, 'acc-1')(event)).toBe('handled');
    expect(await credit(inbox, 'acc-1')(event)).toBe('duplicate');
    expect((await prisma.account.findUniqueOrThrow({ where: { id: 'acc-1' } })).balance).toBe(700);
  });

  it('lets exactly one of two concurrent deliveries of the same event through', async () => {
    const inbox = new Inbox(prisma, 'test.inbox');
    const event = paymentSucceeded(undefined, 300);
    const outcomes = await Promise.all([credit(inbox, 'acc-2')(event), credit(inbox, 'acc-2')(event)]);
    expect(outcomes.sort()).toEqual(['duplicate', 'handled']);
    expect((await prisma.account.findUniqueOrThrow({ where: { id: 'acc-2' } })).balance).toBe(300);
  });

  it('forgets the event when the handler fails, so the retry can succeed', async () => {
    const inbox = new Inbox(prisma, 'test.inbox');
    const event = paymentSucceeded(undefined, 100);
    await expect(
      inbox.handleOnce(event, async (tx) => {
        await tx.account.create({ data: { id: 'acc-3', balance: 100 } });
        throw new Error('handler failed after writing');
      }),
    ).rejects.toThrow('handler failed after writing');
    expect(await prisma.account.findUnique({ where: { id: 'acc-3' } })).toBeNull();
    expect(await credit(inbox, 'acc-3')(event)).toBe('handled');
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
      const inbox = new Inbox(prisma, 'test-service.payments');
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
      expect(
        (
          await prisma.account.findUniqueOrThrow({
            where: { id: 'acc-broker' },
          })
        ).balance,
      ).toBe(250);
      await consumer.stop();
      await publisher.close();
    });
  });
});

describe('EventTransactions', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'uow', prismaConfig: PRISMA_CONFIG });
    prisma = prismaFor(database.url);
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('commits an event-triggered change, its inbox record and its emitted events together, once', async () => {
    const dispatched: string[] = [];
    const transactions = new EventTransactions(
      prisma,
      { dispatch: (messages) => dispatched.push(...messages.map((m) => m.id)) },
      'uow-test',
    );
    const incoming = paymentSucceeded(undefined, 40);
    const emitted = paymentSucceeded(incoming.payload.orderId, 40);
    const work = async (tx: Prisma.TransactionClient) => {
      await tx.account.create({ data: { id: incoming.payload.orderId, balance: 40 } });
      return [emitted];
    };
    expect(await transactions.handleOnce(incoming, work)).toBe('handled');
    expect(await transactions.handleOnce(incoming, work)).toBe('duplicate');
    expect(await prisma.outboxEvent.findMany({ select: { id: true } })).toEqual([{ id: emitted.id }]);
    // Handed to the relay once committed, and only once: the duplicate emitted nothing.
    expect(dispatched).toEqual([emitted.id]);
  });

  it('keeps nothing, not even the events, when the work fails', async () => {
    const transactions = new EventTransactions(prisma, { dispatch: () => undefined }, 'uow-test');
    const event = paymentSucceeded();
    await expect(
      transactions.run(async (tx) => {
        await tx.account.create({ data: { id: 'uow-failed', balance: 1 } });
        await appendToOutbox(tx, [event]);
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(await prisma.outboxEvent.findUnique({ where: { id: event.id } })).toBeNull();
    expect(await prisma.account.findUnique({ where: { id: 'uow-failed' } })).toBeNull();
  });
});
