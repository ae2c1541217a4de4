import { OrderServiceUnderTest, orderRequest } from './harness';

jest.setTimeout(30_000);

describe('GET /orders', () => {
  let service: OrderServiceUnderTest;
  const placedIds: string[] = [];

  beforeAll(async () => {
    service = await OrderServiceUnderTest.start('order_list');
    await service.seedCatalog({ sku: 'TSHIRT-M', price: 1999 });
    for (let i = 0; i < 5; i++) {
      placedIds.push((await service.request('POST', '/orders', orderRequest({ customerId: 'cust-pages' }))).body.id);
    }
    await service.request('POST', '/orders', orderRequest({ customerId: 'cust-other' }));
  });

  afterAll(() => service?.stop());

  const list = (query: string) => service.request('GET', `/orders?${query}`);

  it("pages through a customer's orders, newest first, each exactly once", async () => {
    const pages: { items: { id: string; createdAt: string; customerId: string }[]; nextCursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(`customerId=cust-pages&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      pages.push(res.body);
      cursor = res.body.nextCursor;
    } while (cursor);

    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
    const orders = pages.flatMap((page) => page.items);
    expect(orders.map((o) => o.id).sort()).toEqual([...placedIds].sort());
    expect(orders.every((o) => o.customerId === 'cust-pages')).toBe(true);
    const times = orders.map((o) => Date.parse(o.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Each order is shown whole, as GET /orders/:id shows it.
    expect(orders[0]).toEqual((await service.request('GET', `/orders/${orders[0]!.id}`)).body);
  });

  it('lists up to 20 by default and says when there is nothing more', async () => {
    const res = await list('customerId=cust-pages');
    expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([...placedIds].reverse());
    expect(res.body.nextCursor).toBeNull();
    expect((await list('customerId=cust-nobody')).body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['limit 0', 'customerId=cust-pages&limit=0', 'limit'],
    ['limit 101', 'customerId=cust-pages&limit=101', 'limit'],
    ['a limit that is not a number', 'customerId=cust-pages&limit=ten', 'limit'],
    ['a forged cursor', 'customerId=cust-pages&cursor=abc', 'cursor'],
  ])('answers 400 for %s', async (_case, query, field) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([field]);
  });

  it('is ready when its database and broker are', async () => {
    expect((await service.request('GET', '/health/ready')).status).toBe(200);
  });
});
