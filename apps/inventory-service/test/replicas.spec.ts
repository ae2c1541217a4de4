import { InventoryReservationFailedV1, InventoryReservedV1 } from '@shopflow/events';
import {
  countMessages,
  createTestDatabase,
  createTestVhost,
  eventually,
  type TestDatabase,
  type TestVhost,
} from '@shopflow/testing';
import { startService, type RunningService } from '../src/service';
import {
  httpClient,
  inventoryTap,
  orderCancelled,
  orderPlaced,
  orderService,
  recordingLogger,
  testConfig,
} from './harness';

jest.setTimeout(30_000);

describe('inventory-service with two replicas on one database and queue', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let replicas: RunningService[] = [];
  let tap: Awaited<ReturnType<typeof inventoryTap>>;
  let orders: Awaited<ReturnType<typeof orderService>>;
  let http: ReturnType<typeof httpClient>;
  const logs = [recordingLogger(), recordingLogger()];
  /** Each replica's outcomes for an event: the replica that handled it, once, and what it decided. */
  const outcomesOf = (eventId: string) => logs.map(({ outcomes }) => outcomes(eventId));

  beforeAll(async () => {
    [db, vhost] = await Promise.all([
      createTestDatabase({ prefix: 'inventory_replicas' }),
      createTestVhost('inventory-replicas'),
    ]);
    tap = await inventoryTap(vhost.url);
    const config = testConfig({ database: db.url, amqp: vhost.url });
    replicas.push(await startService(config, logs[0]!.logger));
    replicas.push(await startService({ ...config, MIGRATE_ON_START: false }, logs[1]!.logger));
    orders = await orderService(vhost.url);
    http = httpClient(replicas[0]!.port);
    await eventually(async () => (await countMessages(vhost.url, 'inventory-service.events'))?.consumers === 2);
  });

  // Locks make competing handlers wait for each other: none fails and needs a retry.
  afterEach(() => expect(logs.flatMap((log) => log.problems)).toEqual([]));

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    replicas = [];
    await orders?.close();
    await tap?.close();
    await vhost?.drop();
    await db?.drop();
  });

  it('never oversells: 30 orders competing for 10 units get exactly 10 reservations', async () => {
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
    // Both replicas took part, or this test would prove nothing about replicas.
    expect(placed.some((event) => outcomesOf(event.id)[0]!.length > 0)).toBe(true);
    expect(placed.some((event) => outcomesOf(event.id)[1]!.length > 0)).toBe(true);
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
