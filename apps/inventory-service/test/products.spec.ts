import { InventoryProductUpdatedV1, InventoryReservedV1 } from '@shopflow/events';
import { startTestIdentityProvider, type TestIdentityProvider } from '@shopflow/identity-provider';
import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from '@shopflow/testing';
import { DEMO_CATALOG } from '../src/domain/demo-catalog';
import { startService, type RunningService } from '../src/service';
import { type Caller } from '@shopflow/identity-provider';
import {
  httpClient,
  inventoryTap,
  orderPlaced,
  orderService,
  PRISMA_CONFIG,
  recordingLogger,
  testConfig,
} from './harness';

jest.setTimeout(30_000);

describe('inventory-service products (HTTP, catalog events)', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let service: RunningService;
  let tap: Awaited<ReturnType<typeof inventoryTap>>;
  let orders: Awaited<ReturnType<typeof orderService>>;
  let http: ReturnType<typeof httpClient>;
  let identity: TestIdentityProvider;
  const { logger } = recordingLogger();

  beforeAll(async () => {
    [db, vhost, identity] = await Promise.all([
      createTestDatabase({ prefix: 'inventory_products', prismaConfig: PRISMA_CONFIG }),
      createTestVhost('inventory-products'),
      startTestIdentityProvider(),
    ]);
    tap = await inventoryTap(vhost.url);
    service = await startService(
      testConfig({ database: db.url, amqp: vhost.url, identity }, { SEED_CATALOG: true }),
      logger,
    );
    orders = await orderService(vhost.url);
    http = httpClient(service.port, identity);
  });

  afterAll(async () => {
    await service?.stop();
    await orders?.close();
    await tap?.close();
    await identity?.close();
    await vhost?.drop();
    await db?.drop();
  });

  it('seeds the demo catalog and announces every product at start', async () => {
    const { status, body } = await http.get('/products');
    expect(status).toBe(200);
    expect((body as { sku: string }[]).map((product) => product.sku).sort()).toEqual(
      DEMO_CATALOG.map((p) => p.sku).sort(),
    );
    for (const product of DEMO_CATALOG) {
      const [announced] = await tap.waitFor(InventoryProductUpdatedV1, (event) => event.payload.sku === product.sku);
      expect(announced!.payload).toEqual({
        sku: product.sku,
        name: product.name,
        price: product.price,
        currency: 'EUR',
        available: product.stock,
      });
      expect(announced!.source).toBe('inventory-service');
    }
  });

  it('seeds only missing products on a later start, never overwriting one', async () => {
    const demo = DEMO_CATALOG[0]!;
    await http.put(`/products/${demo.sku}`, { ...demo, price: 1 });
    const replica = await startService(
      testConfig({ database: db.url, amqp: vhost.url, identity }, { SEED_CATALOG: true }),
      logger,
    );
    await replica.stop();
    const { body } = await http.get('/products');
    expect(body).toHaveLength(DEMO_CATALOG.length);
    expect((await http.get(`/products/${demo.sku}`)).body).toMatchObject({ price: 1, stock: demo.stock });
  });

  it('creates a product with PUT (201), announces it, and answers GET', async () => {
    const created = await http.put('/products/LAMP-01', { name: 'Desk lamp', price: 3490, currency: 'EUR', stock: 12 });
    const product = {
      sku: 'LAMP-01',
      name: 'Desk lamp',
      price: 3490,
      currency: 'EUR',
      stock: 12,
      reserved: 0,
      available: 12,
    };
    expect(created).toMatchObject({ status: 201, body: product });
    expect((await http.get('/products/LAMP-01')).body).toEqual(product);
    expect((await http.get('/products')).body).toContainEqual(product);

    const [announced] = await tap.waitFor(InventoryProductUpdatedV1, (event) => event.payload.sku === 'LAMP-01');
    expect(announced!.payload).toEqual({
      sku: 'LAMP-01',
      name: 'Desk lamp',
      price: 3490,
      currency: 'EUR',
      available: 12,
    });
  });

  it('changes price and restocks with PUT (200), announcing what is available', async () => {
    await http.put('/products/CHAIR-01', { name: 'Chair', price: 9900, currency: 'EUR', stock: 5 });
    const updated = await http.put('/products/CHAIR-01', { name: 'Chair', price: 8900, currency: 'EUR', stock: 20 });
    expect(updated).toMatchObject({ status: 200, body: { price: 8900, stock: 20, reserved: 0, available: 20 } });
    await tap.waitFor(
      InventoryProductUpdatedV1,
      (e) => e.payload.sku === 'CHAIR-01' && e.payload.price === 8900 && e.payload.available === 20,
    );
  });

  it('refuses stock below what orders hold with 409, and accepts stock equal to it', async () => {
    await http.put('/products/DESK-01', { name: 'Desk', price: 19900, currency: 'EUR', stock: 10 });
    const placed = orderPlaced([{ sku: 'DESK-01', quantity: 3 }]);
    await orders.publish(placed);
    await tap.waitFor(InventoryReservedV1, (event) => event.payload.orderId === placed.payload.orderId);

    const refused = await http.put('/products/DESK-01', { name: 'Desk', price: 19900, currency: 'EUR', stock: 2 });
    expect(refused.status).toBe(409);
    expect(refused.contentType).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: 'urn:shopflow:problem:conflict', sku: 'DESK-01', reserved: 3 });
    expect((await http.get('/products/DESK-01')).body).toMatchObject({ stock: 10, reserved: 3, available: 7 });

    const accepted = await http.put('/products/DESK-01', { name: 'Desk', price: 19900, currency: 'EUR', stock: 3 });
    expect(accepted).toMatchObject({ status: 200, body: { stock: 3, reserved: 3, available: 0 } });
    await tap.waitFor(InventoryProductUpdatedV1, (e) => e.payload.sku === 'DESK-01' && e.payload.available === 0);
  });

  it('answers an unknown sku with a 404 problem', async () => {
    const missing = await http.get('/products/NOPE-404');
    expect(missing.status).toBe(404);
    expect(missing.contentType).toMatch(/^application\/problem\+json/);
  });

  it.each([
    ['a missing name', { price: 100, currency: 'EUR', stock: 1 }, 'name'],
    ['a negative price', { name: 'X', price: -1, currency: 'EUR', stock: 1 }, 'price'],
    ['a price with cents as a fraction', { name: 'X', price: 9.99, currency: 'EUR', stock: 1 }, 'price'],
    ['a lower-case currency', { name: 'X', price: 100, currency: 'eur', stock: 1 }, 'currency'],
    ['a negative stock', { name: 'X', price: 100, currency: 'EUR', stock: -5 }, 'stock'],
  ])('refuses a body with %s with a 400 problem naming the field', async (_what, body, field) => {
    const refused = await http.put('/products/BAD-01', body);
    expect(refused.status).toBe(400);
    expect(refused.contentType).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ errors: [expect.objectContaining({ path: field })] });
    expect((await http.get('/products/BAD-01')).status).toBe(404);
  });

  it('refuses an invalid sku in the path with a 400 problem', async () => {
    const refused = await http.put('/products/%20bad%20sku', { name: 'X', price: 1, currency: 'EUR', stock: 1 });
    expect(refused.status).toBe(400);
  });

  describe('who may do what', () => {
    const CUSTOMER: Caller = { sub: 'cust-1', scope: 'orders' };
    const SUPPORT: Caller = { sub: 'support-1', scope: 'admin' };
    const STAFF: Caller = { sub: 'staff-1', scope: 'catalog:write' };
    const lamp = { name: 'Floor lamp', price: 5900, currency: 'EUR', stock: 4 };

    it.each([
      ['GET /products', (as: Caller) => http.get('/products', as), STAFF, CUSTOMER, 200],
      ['GET /products/:sku', (as: Caller) => http.get('/products/DESK-01', as), SUPPORT, CUSTOMER, 200],
      ['PUT /products/:sku', (as: Caller) => http.put('/products/LAMP-02', lamp, as), STAFF, SUPPORT, 201],
    ] as const)(
      '%s: 401 without a token, 403 without the scope, and done with it',
      async (_r, call, right, wrong, ok) => {
        expect((await call('anonymous')).status).toBe(401);
        expect((await call(wrong)).status).toBe(403);
        expect((await call(right)).status).toBe(ok);
      },
    );

    it('refuses a product change with every bad credential (401), storing and announcing nothing', async () => {
      for (const [kind, authorization] of Object.entries(await identity.badCredentials())) {
        const res = await http.withAuthorization('PUT', '/products/FORGED-01', authorization, lamp);
        expect({ kind, status: res.status }).toEqual({ kind, status: 401 });
        expect(res.challenge).toMatch(/^Bearer realm="shopflow"/);
      }
      expect((await http.get('/products/FORGED-01')).status).toBe(404);
      await tap.settle();
      expect(tap.events(InventoryProductUpdatedV1, (e) => e.payload.sku === 'FORGED-01')).toEqual([]);
    });
  });
});
