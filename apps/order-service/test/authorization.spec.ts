import { type Caller, type HttpAnswer, OrderServiceUnderTest, orderRequest } from './harness';

jest.setTimeout(30_000);

const customer = (sub: string): Caller => ({ sub, scope: 'orders' });
const SUPPORT: Caller = { sub: 'support-1', scope: 'admin' };
const STAFF: Caller = { sub: 'staff-1', scope: 'catalog:write' };
const NO_SHOP_SCOPE: Caller = { sub: 'cust-ada', scope: 'profile email' };

/** A body without customerId: the token's subject is the customer. */
const { customerId: _unused, ...anOrder } = orderRequest();

describe('order-service: who may do what', () => {
  let service: OrderServiceUnderTest;
  let adasOrder: string;

  beforeAll(async () => {
    service = await OrderServiceUnderTest.start('order_authz');
    await service.seedCatalog({ sku: 'TSHIRT-M', price: 1999 });
    const placed = await service.request('POST', '/orders', anOrder, {}, customer('cust-ada'));
    expect(placed.status).toBe(201);
    adasOrder = placed.body.id;
  });

  afterAll(() => service?.stop());

  /** Orders stored for a customer, and events published about them, once all are out. */
  async function traces(customerId: string) {
    const { rows } = await service.sql.query('SELECT id FROM orders WHERE customer_id = $1', [customerId]);
    const published = (await service.publishedSoFar()).filter(
      (event) => (event.payload as { customerId?: string }).customerId === customerId,
    );
    return { orders: rows.length, events: published.length };
  }

  const routes: [string, (as: Caller) => Promise<HttpAnswer>, Caller, Caller, number][] = [
    ['POST /orders', (as) => service.request('POST', '/orders', anOrder, {}, as), customer('cust-new'), SUPPORT, 201],
    ['GET /orders/:id', (as) => service.request('GET', `/orders/${adasOrder}`, undefined, {}, as), SUPPORT, STAFF, 200],
    ['GET /orders', (as) => service.request('GET', '/orders', undefined, {}, as), customer('cust-ada'), STAFF, 200],
    ['GET /catalog', (as) => service.request('GET', '/catalog', undefined, {}, as), customer('x'), NO_SHOP_SCOPE, 200],
    [
      'GET /catalog/:sku',
      (as) => service.request('GET', '/catalog/TSHIRT-M', undefined, {}, as),
      STAFF,
      NO_SHOP_SCOPE,
      200,
    ],
  ];

  it.each(routes)(
    '%s: 401 without a token, 403 without the scope, and done with it',
    async (_r, call, right, wrong, ok) => {
      const anonymous = await call('anonymous');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="shopflow"');
      expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const forbidden = await call(wrong);
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.get('www-authenticate')).toMatch(/^Bearer realm="shopflow", error="insufficient_scope"/);
      expect((await call(right)).status).toBe(ok);
    },
  );

  it('refuses every bad credential with 401 and a Bearer challenge, storing and publishing nothing', async () => {
    const credentials = await service.identity.badCredentials();
    for (const [kind, authorization] of Object.entries(credentials)) {
      const res = await service.request(
        'POST',
        '/orders',
        { ...anOrder, customerId: 'cust-forged' },
        authorization ? { authorization } : {},
        'anonymous',
      );
      expect({ kind, status: res.status }).toEqual({ kind, status: 401 });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const challenge = res.headers.get('www-authenticate');
      expect(challenge).toMatch(kind === 'missing' ? /^Bearer realm="shopflow"$/ : /error="invalid_token"/);
    }
    expect(await traces('cust-forged')).toEqual({ orders: 0, events: 0 });
  });

  it("answers 404 for someone else's order, exactly as for one that does not exist", async () => {
    const others = await service.request('GET', `/orders/${adasOrder}`, undefined, {}, customer('cust-bob'));
    const unknown = await service.request('GET', `/orders/${crypto.randomUUID()}`, undefined, {}, customer('cust-bob'));
    expect(others.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(Object.keys(others.body).sort()).toEqual(Object.keys(unknown.body).sort());
    const own = await service.request('GET', `/orders/${adasOrder}`, undefined, {}, customer('cust-ada'));
    expect(own.body).toMatchObject({ id: adasOrder, customerId: 'cust-ada' });
  });

  it("lists a customer's own orders only; naming another customer is refused, and support must name one", async () => {
    const bobs = await service.request('GET', '/orders', undefined, {}, customer('cust-bob'));
    expect(bobs.body).toEqual({ items: [], nextCursor: null });
    const adas = await service.request('GET', '/orders', undefined, {}, customer('cust-ada'));
    expect(adas.body.items.map((o: { id: string }) => o.id)).toContain(adasOrder);
    const snooping = await service.request('GET', '/orders?customerId=cust-ada', undefined, {}, customer('cust-bob'));
    expect(snooping.status).toBe(403);
    expect((await service.request('GET', '/orders', undefined, {}, SUPPORT)).status).toBe(400);
    const support = await service.request('GET', '/orders?customerId=cust-ada', undefined, {}, SUPPORT);
    expect(support.body.items.map((o: { id: string }) => o.id)).toContain(adasOrder);
  });

  it("places an order for the token's subject, and refuses (403) a body naming someone else, storing nothing", async () => {
    const own = await service.request('POST', '/orders', anOrder, {}, customer('cust-carol'));
    expect(own.status).toBe(201);
    expect(own.body.customerId).toBe('cust-carol');
    expect((await service.placedEvent(own.body.id)).payload.customerId).toBe('cust-carol');
    const same = await service.request(
      'POST',
      '/orders',
      { ...anOrder, customerId: 'cust-carol' },
      {},
      customer('cust-carol'),
    );
    expect(same.status).toBe(201);

    const forOther = { ...anOrder, customerId: 'cust-dave' };
    const refused = await service.request('POST', '/orders', forOther, {}, customer('cust-carol'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBeNull();
    expect(await traces('cust-dave')).toEqual({ orders: 0, events: 0 });
  });

  it("keeps each customer's Idempotency-Keys their own: the same key places one order each", async () => {
    const headers = { 'Idempotency-Key': `shared-${crypto.randomUUID()}` };
    const erin = await service.request('POST', '/orders', anOrder, headers, customer('cust-erin'));
    const frank = await service.request('POST', '/orders', anOrder, headers, customer('cust-frank'));
    expect([erin.status, frank.status]).toEqual([201, 201]);
    expect(frank.body.id).not.toBe(erin.body.id);
    expect(frank.body.customerId).toBe('cust-frank');
    const replay = await service.request('POST', '/orders', anOrder, headers, customer('cust-erin'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(erin.body.id);
  });
});
