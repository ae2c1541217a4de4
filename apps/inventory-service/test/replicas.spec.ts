import { InventoryReservationFailedV1, InventoryReservedV1 } from '@shopflow/events';
import { startTestIdentityProvider, type TestIdentityProvider } from '@shopflow/identity-provider';
import { createTestDatabase, createTestVhost, eventually, type TestDatabase, type TestVhost } from '@shopflow/testing';
import { EventTransactions } from '@shopflow/messaging';
import { Database } from '@shopflow/postgres';
import { startService, type RunningService } from '../src/service';
import { reserveStock } from '../src/use-cases/reserve-stock';
import {
  httpClient,
  inventoryTap,
  orderCancelled,
  orderPlaced,
  orderService,
  PRISMA_CONFIG,
  recordingLogger,
  testConfig,
} from './harness';

jest.setTimeout(30_000);

describe('inventory-service with two replicas on one database and queue (one active consumer)', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let replicas: RunningService[] = [];
  let tap: Awaited<ReturnType<typeof inventoryTap>>;
  let orders: Awaited<ReturnType<typeof orderService>>;
  let http: ReturnType<typeof httpClient>;
  let identity: TestIdentityProvider;
  const logs = [recordingLogger(), recordingLogger()];
  /** Each replica's outcomes for an event: the replica that handled it, once, and what it decided. */
  const outcomesOf = (eventId: string) => logs.map(({ outcomes }) => outcomes(eventId));

  beforeAll(async () => {
    [db, vhost, identity] = await Promise.all([
      createTestDatabase({ prefix: 'inventory_replicas', prismaConfig: PRISMA_CONFIG }),
      createTestVhost('inventory-replicas'),
      startTestIdentityProvider(),
    ]);
    tap = await inventoryTap(vhost.url);
    const config = testConfig({ database: db.url, amqp: vhost.url, identity });
    replicas.push(await startService(config, logs[0]!.logger));
    replicas.push(await startService(config, logs[1]!.logger));
    orders = await orderService(vhost.url);
    http = httpClient(replicas[0]!.port, identity);
    // Both replicas consume; the broker delivers to one of them.
    await eventually(async () => {
      expect(await vhost.consumers('inventory-service.events')).toEqual({ total: 2, active: 1 });
    });
  });

  // Locks make competing handlers wait for each other: none fails and needs a retry.
  afterEach(() => expect(logs.flatMap((log) => log.problems)).toEqual([]));

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    replicas = [];
    await orders?.close();
    await tap?.close();
    await identity?.close();
    await vhost?.drop();
    await db?.drop();
  });

  it('never oversells, and one replica at a time reads the queue: 30 orders for 10 units, 10 reservations', async () => {
    await http.put('/products/HOT-1', { name: 'Limited edition', price: 9900, currency: 'EUR', stock: 10 });
    const placed = Array.from({ length: 30 }, () => orderPlaced([{ sku: 'HOT-1', quantity: 1 }]));
    await orders.publish(...placed);

    const decided = await eventually(
      () => {
        const perEvent = placed.map((event) => outcomesOf(event.id).flat());
        if (perEvent.some((outcomes) => outcomes.length === 0)) throw new Error('not every order handled yet');
        return perEvent.map(([outcome]) => outcome);
      },
      { message: 'every order handled by one replica' },
    );
    expect(decided.filter((outcome) => outcome === 'reserved')).toHaveLength(10);
    expect(decided.filter((outcome) => outcome === 'rejected')).toHaveLength(20);
    expect((await http.get('/products/HOT-1')).body).toMatchObject({ stock: 10, reserved: 10, available: 0 });

    const isOurs = (orderId: string) => placed.some((event) => event.payload.orderId === orderId);
    await tap.waitFor(InventoryReservedV1, (e) => isOurs(e.payload.orderId), 10);
    const failed = await tap.waitFor(InventoryReservationFailedV1, (e) => isOurs(e.payload.orderId), 20);
    expect(failed.every((e) => e.payload.reason === 'out_of_stock')).toBe(true);
    // A single active consumer: every order was handled by the same replica, the other stood by.
    const handledBy = placed.map((event) => outcomesOf(event.id).findIndex((outcomes) => outcomes.length > 0));
    expect(new Set(handledBy).size).toBe(1);
  });

  it('never oversells when two replicas write at once (a hand-over, an HTTP update): 30 reservations for 10 units', async () => {
    await http.put('/products/HOT-2', { name: 'Limited edition', price: 9900, currency: 'EUR', stock: 10 });
    // Two replicas' unit-of-work runners on their own pools, reserving at the same time without the broker.
    const writers = [new Database({ url: db.url }), new Database({ url: db.url })];
    try {
      const outcomes = await Promise.all(
        writers.flatMap((writer, w) => {
          const transactions = new EventTransactions(writer, { dispatch: () => undefined }, `replica-${w}`, {
            maxBatch: 32,
          });
          return Array.from({ length: 15 }, () =>
            reserveStock({ transactions, db: writer }, orderPlaced([{ sku: 'HOT-2', quantity: 1 }])),
          );
        }),
      );
      const results = outcomes.map((handled) => (handled.outcome === 'handled' ? handled.result : 'duplicate'));
      expect(results.filter((result) => result === 'reserved')).toHaveLength(10);
      expect(results.filter((result) => result === 'rejected')).toHaveLength(20);
      expect((await http.get('/products/HOT-2')).body).toMatchObject({ stock: 10, reserved: 10, available: 0 });
    } finally {
      await Promise.all(writers.map((writer) => writer.close()));
    }
  });

  it('ends with nothing reserved when order.placed and order.cancelled of the same orders race', async () => {
    await http.put('/products/RACE-1', { name: 'Racing product', price: 100, currency: 'EUR', stock: 100 });
    const pairs = Array.from({ length: 20 }, () => {
      const placed = orderPlaced([{ sku: 'RACE-1', quantity: 1 }]);
      return [placed, orderCancelled(placed.payload.orderId)] as const;
    });
    // Alternating order: half the cancellations are published before their order.placed.
    await orders.publish(
      ...pairs.flatMap(([placed, cancelled], i) => (i % 2 ? [placed, cancelled] : [cancelled, placed])),
    );

    await eventually(() => pairs.flat().every((event) => outcomesOf(event.id).flat().length === 1), {
      message: 'every event handled',
    });
    expect((await http.get('/products/RACE-1')).body).toMatchObject({ stock: 100, reserved: 0, available: 100 });
    for (const [placed, cancelled] of pairs) {
      const [placedOutcome] = outcomesOf(placed.id).flat();
      const [cancelledOutcome] = outcomesOf(cancelled.id).flat();
      // Whichever came first, the pair is consistent: reserved then released, or remembered then ignored.
      expect([placedOutcome, cancelledOutcome]).toEqual(
        placedOutcome === 'reserved' ? ['reserved', 'released'] : ['ignored', 'cancellation-remembered'],
      );
    }
  });
});
