import { startTestIdentityProvider, type TestIdentityProvider } from '@shopflow/identity-provider';
import {
  InventoryReleasedV1,
  InventoryReservationFailedV1,
  InventoryReservedV1,
  type Envelope,
} from '@shopflow/events';
import { Database, sql } from '@shopflow/postgres';
import {
  createTestDatabase,
  createTestVhost,
  eventually,
  outboxEmptied,
  type TestDatabase,
  type TestVhost,
} from '@shopflow/testing';
import { startService, type RunningService } from '../src/service';
import {
  httpClient,
  inventoryTap,
  orderCancelled,
  orderConfirmed,
  orderPlaced,
  orderService,
  PRISMA_CONFIG,
  recordingLogger,
  testConfig,
} from './harness';

jest.setTimeout(30_000);

describe('inventory-service reservations (order events in, inventory events out)', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let service: RunningService;
  let tap: Awaited<ReturnType<typeof inventoryTap>>;
  let orders: Awaited<ReturnType<typeof orderService>>;
  let http: ReturnType<typeof httpClient>;
  let identity: TestIdentityProvider;
  let database: Database;
  const { logger, outcomes } = recordingLogger();

  beforeAll(async () => {
    [db, vhost, identity] = await Promise.all([
      createTestDatabase({ prefix: 'inventory_reservations', prismaConfig: PRISMA_CONFIG }),
      createTestVhost('inventory-reservations'),
      startTestIdentityProvider(),
    ]);
    tap = await inventoryTap(vhost.url);
    service = await startService(testConfig({ database: db.url, amqp: vhost.url, identity }), logger);
    orders = await orderService(vhost.url);
    http = httpClient(service.port, identity);
    database = new Database({ url: db.url, poolSize: 2 });
  });

  afterAll(async () => {
    await service?.stop();
    await database?.close();
    await orders?.close();
    await tap?.close();
    await identity?.close();
    await vhost?.drop();
    await db?.drop();
  });

  let skuCount = 0;
  /** A new product per test, so tests never share stock. */
  async function product(stock: number): Promise<string> {
    const sku = `SKU-${++skuCount}`;
    expect((await http.put(`/products/${sku}`, { name: sku, price: 1000, currency: 'EUR', stock })).status).toBe(201);
    return sku;
  }

  const stockOf = async (sku: string) =>
    (await http.get(`/products/${sku}`)).body as { stock: number; reserved: number; available: number };

  /** Waits until the service handled `event` (`times` deliveries of it), whatever it decided. */
  const handled = (event: Envelope, times = 1) =>
    eventually(
      () => {
        const seen = outcomes(event.id);
        if (seen.length < times) throw new Error(`${event.type} handled ${seen.length} of ${times} times`);
        return seen;
      },
      { message: `waiting for ${event.type} ${event.id} to be handled` },
    );

  /** Events the service has published about an order so far, all received by the tap. */
  async function publishedAbout(orderId: string): Promise<Envelope[]> {
    await outboxEmptied(db.url);
    await tap.settle();
    return tap.aboutOrder(orderId);
  }

  const statusOf = async (orderId: string) => {
    const [reservation] = await database.query<{ status: string }>(
      sql`SELECT status::text AS status FROM reservations WHERE order_id = ${orderId}::uuid`,
    );
    return reservation?.status;
  };

  it('reserves every item of an order and says so', async () => {
    const [mug, lamp] = [await product(10), await product(5)];
    const placed = orderPlaced([
      { sku: lamp, quantity: 2 },
      { sku: mug, quantity: 3 },
    ]);
    await orders.publish(placed);

    const [reserved] = await tap.waitFor(InventoryReservedV1, (e) => e.payload.orderId === placed.payload.orderId);
    expect(reserved!.payload.items).toEqual(
      expect.arrayContaining([
        { sku: mug, quantity: 3 },
        { sku: lamp, quantity: 2 },
      ]),
    );
    expect(reserved!).toMatchObject({
      source: 'inventory-service',
      correlationId: placed.correlationId,
      causationId: placed.id,
    });
    expect(await stockOf(mug)).toEqual(expect.objectContaining({ stock: 10, reserved: 3, available: 7 }));
    expect(await stockOf(lamp)).toEqual(expect.objectContaining({ stock: 5, reserved: 2, available: 3 }));
    expect(await statusOf(placed.payload.orderId)).toBe('RESERVED');
  });

  it('reserves nothing when one item is short, and names the short items (out_of_stock)', async () => {
    const [plenty, scarce] = [await product(10), await product(2)];
    const placed = orderPlaced([
      { sku: plenty, quantity: 1 },
      { sku: scarce, quantity: 3 },
    ]);
    await orders.publish(placed);

    const [failed] = await tap.waitFor(
      InventoryReservationFailedV1,
      (e) => e.payload.orderId === placed.payload.orderId,
    );
    expect(failed!.payload).toEqual({
      orderId: placed.payload.orderId,
      reason: 'out_of_stock',
      items: [{ sku: scarce, requested: 3, available: 2 }],
    });
    expect((await stockOf(plenty)).reserved).toBe(0);
    expect((await stockOf(scarce)).reserved).toBe(0);
  });

  it('reserves nothing for an order with an unknown item (unknown_item)', async () => {
    const known = await product(10);
    const placed = orderPlaced([
      { sku: known, quantity: 1 },
      { sku: 'GHOST-1', quantity: 2 },
    ]);
    await orders.publish(placed);

    const [failed] = await tap.waitFor(
      InventoryReservationFailedV1,
      (e) => e.payload.orderId === placed.payload.orderId,
    );
    expect(failed!.payload).toMatchObject({
      reason: 'unknown_item',
      items: [{ sku: 'GHOST-1', requested: 2, available: 0 }],
    });
    expect((await stockOf(known)).reserved).toBe(0);
  });

  it('releases the reservation of a cancelled order', async () => {
    const sku = await product(4);
    const placed = orderPlaced([{ sku, quantity: 4 }]);
    await orders.publish(placed);
    await tap.waitFor(InventoryReservedV1, (e) => e.payload.orderId === placed.payload.orderId);
    expect((await stockOf(sku)).available).toBe(0);

    await orders.publish(orderCancelled(placed.payload.orderId));
    const [released] = await tap.waitFor(InventoryReleasedV1, (e) => e.payload.orderId === placed.payload.orderId);
    expect(released!.payload.items).toEqual([{ sku, quantity: 4 }]);
    expect(await stockOf(sku)).toEqual(expect.objectContaining({ stock: 4, reserved: 0, available: 4 }));
    expect(await statusOf(placed.payload.orderId)).toBe('RELEASED');
  });

  it('never reserves for an order whose cancellation arrived first', async () => {
    const sku = await product(5);
    const placed = orderPlaced([{ sku, quantity: 1 }]);
    const cancelled = orderCancelled(placed.payload.orderId);
    await orders.publish(cancelled);
    expect(await handled(cancelled)).toEqual(['cancellation-remembered']);

    await orders.publish(placed);
    expect(await handled(placed)).toEqual(['ignored']);
    expect((await stockOf(sku)).reserved).toBe(0);
    expect(await publishedAbout(placed.payload.orderId)).toEqual([]);
    expect(await statusOf(placed.payload.orderId)).toBe('CANCELLED');
  });

  it('sells the reserved units of a confirmed order', async () => {
    const sku = await product(10);
    const placed = orderPlaced([{ sku, quantity: 3 }]);
    await orders.publish(placed);
    await tap.waitFor(InventoryReservedV1, (e) => e.payload.orderId === placed.payload.orderId);

    const confirmed = orderConfirmed(placed.payload.orderId);
    await orders.publish(confirmed);
    expect(await handled(confirmed)).toEqual(['sold']);
    expect(await stockOf(sku)).toEqual(expect.objectContaining({ stock: 7, reserved: 0, available: 7 }));
    expect(await statusOf(placed.payload.orderId)).toBe('SOLD');

    // A late cancellation of a sold order gives nothing back.
    const cancelled = orderCancelled(placed.payload.orderId);
    await orders.publish(cancelled);
    expect(await handled(cancelled)).toEqual(['ignored']);
    expect((await stockOf(sku)).stock).toBe(7);
  });

  it('reserves once when the same order.placed is delivered twice', async () => {
    const sku = await product(10);
    const placed = orderPlaced([{ sku, quantity: 2 }]);
    await orders.publish(placed, placed);

    expect((await handled(placed, 2)).sort()).toEqual(['duplicate', 'reserved']);
    expect((await stockOf(sku)).reserved).toBe(2);
    expect(await publishedAbout(placed.payload.orderId)).toHaveLength(1);
  });

  it('reserves once when order-service sends the same order again as a new event', async () => {
    const sku = await product(10);
    const first = orderPlaced([{ sku, quantity: 2 }]);
    const again = orderPlaced([{ sku, quantity: 2 }], first.payload.orderId);
    await orders.publish(first);
    expect(await handled(first)).toEqual(['reserved']);
    await orders.publish(again);
    expect(await handled(again)).toEqual(['ignored']);
    expect((await stockOf(sku)).reserved).toBe(2);
  });
});
