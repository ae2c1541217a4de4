import { eventually } from '@shopflow/testing';
import { OrderServiceUnderTest, orderRequest, productUpdated, reservationFailed } from './harness';

jest.setTimeout(30_000);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /orders', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await OrderServiceUnderTest.start('order_place');
    await service.seedCatalog(
      { sku: 'TSHIRT-M', price: 1999 },
      { sku: 'MUG', price: 850 },
      { sku: 'HAT-US', price: 1500, currency: 'USD' },
    );
  });

  afterAll(() => service?.stop());

  it('prices the order from the local catalog, merges repeated skus, stores it PENDING and announces it', async () => {
    const request = orderRequest({
      items: [
        { sku: 'TSHIRT-M', quantity: 1 },
        { sku: 'MUG', quantity: 1 },
        { sku: 'TSHIRT-M', quantity: 1 },
      ],
    });
    const res = await service.request('POST', '/orders', request, { 'X-Correlation-Id': 'req-place-1' });

    expect(res.status).toBe(201);
    const order = res.body;
    expect(res.headers.get('location')).toBe(`/orders/${order.id}`);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(order).toEqual({
      id: expect.stringMatching(UUID),
      status: 'PENDING',
      reason: null,
      customerId: 'cust-1',
      email: 'ada@example.com',
      items: [
        {
          sku: 'TSHIRT-M',
          quantity: 2,
          unitPrice: { amount: 1999, currency: 'EUR' },
          lineTotal: { amount: 3998, currency: 'EUR' },
        },
        {
          sku: 'MUG',
          quantity: 1,
          unitPrice: { amount: 850, currency: 'EUR' },
          lineTotal: { amount: 850, currency: 'EUR' },
        },
      ],
      total: { amount: 4848, currency: 'EUR' },
      createdAt: expect.any(String),
      timeline: [{ step: 'placed', at: order.createdAt }],
    });
    expect(new Date(order.createdAt).toISOString()).toBe(order.createdAt);
    expect((await service.request('GET', `/orders/${order.id}`)).body).toEqual(order);

    const placed = await service.placedEvent(order.id);
    expect(placed).toMatchObject({
      source: 'order-service',
      correlationId: 'req-place-1',
      payload: {
        orderId: order.id,
        customerId: 'cust-1',
        email: 'ada@example.com',
        items: [
          { sku: 'TSHIRT-M', quantity: 2, unitPrice: { amount: 1999, currency: 'EUR' } },
          { sku: 'MUG', quantity: 1, unitPrice: { amount: 850, currency: 'EUR' } },
        ],
        total: { amount: 4848, currency: 'EUR' },
        paymentToken: 'tok_visa',
      },
    });
  });

  it('uses the order id as correlation id when the request carries none', async () => {
    const res = await service.request('POST', '/orders', orderRequest());
    expect(res.status).toBe(201);
    expect((await service.placedEvent(res.body.id)).correlationId).toBe(res.body.id);
  });

  describe('refuses bad input, storing and publishing nothing', () => {
    const customerId = 'cust-invalid';
    const valid = orderRequest({ customerId });
    const { items: _i, ...withoutItems } = valid;

    it.each([
      ['a customerId that is not a string', { ...valid, customerId: 42 }, ['customerId']],
      ['a body without items', withoutItems, ['items']],
      ['no items', { ...valid, items: [] }, ['items']],
      ['quantity 0', { ...valid, items: [{ sku: 'MUG', quantity: 0 }] }, ['items.0.quantity']],
      ['a fractional quantity', { ...valid, items: [{ sku: 'MUG', quantity: 1.5 }] }, ['items.0.quantity']],
      ['a quantity given as a string', { ...valid, items: [{ sku: 'MUG', quantity: '2' }] }, ['items.0.quantity']],
      ['a malformed sku', { ...valid, items: [{ sku: 'no spaces', quantity: 1 }] }, ['items.0.sku']],
      ['a bad email', { ...valid, email: 'not-an-email' }, ['email']],
      ['a card number instead of a token', { ...valid, paymentToken: '4111111111111111' }, ['paymentToken']],
      ['several problems at once', { ...valid, email: 'x', paymentToken: 'tok-' }, ['email', 'paymentToken']],
    ])('400 for %s, naming the fields', async (_case, body, fields) => {
      const res = await service.request('POST', '/orders', body, {}, { sub: customerId, scope: 'orders admin' });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: 'urn:shopflow:problem:invalid_input', status: 400 });
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(fields);
    });

    it('400 for malformed JSON', async () => {
      const res = await service.request('POST', '/orders', '{"customerId": ');
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/malformed JSON/);
    });

    it('400 for an oversized Idempotency-Key', async () => {
      const res = await service.request('POST', '/orders', valid, { 'Idempotency-Key': 'k'.repeat(256) });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'Idempotency-Key', message: expect.any(String) }]);
    });

    it('422 naming the unknown skus', async () => {
      const res = await service.request('POST', '/orders', {
        ...valid,
        items: [
          { sku: 'MUG', quantity: 1 },
          { sku: 'NOPE-1', quantity: 1 },
          { sku: 'NOPE-2', quantity: 3 },
        ],
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        type: 'urn:shopflow:problem:unprocessable',
        detail: expect.stringContaining('NOPE-1, NOPE-2'),
        skus: ['NOPE-1', 'NOPE-2'],
      });
    });

    it('422 for items priced in different currencies', async () => {
      const res = await service.request('POST', '/orders', {
        ...valid,
        items: [
          { sku: 'MUG', quantity: 1 },
          { sku: 'HAT-US', quantity: 1 },
        ],
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ currencies: ['EUR', 'USD'] });
    });

    it('left no order and no event behind', async () => {
      expect((await service.request('GET', `/orders?customerId=${customerId}`)).body).toEqual({
        items: [],
        nextCursor: null,
      });
      // The relay publishes in commit order: once a later order's event is out, any earlier one would be too.
      const fence = await service.request('POST', '/orders', orderRequest({ customerId: 'cust-fence' }));
      await service.placedEvent(fence.body.id);
      expect(service.published.filter((e) => (e.payload as { customerId?: string }).customerId === customerId)).toEqual(
        [],
      );
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a repeat of the same request with the same order, placed once', async () => {
      const key = `key-${crypto.randomUUID()}`;
      const request = orderRequest({ customerId: 'cust-idem' });
      const first = await service.request('POST', '/orders', request, { 'Idempotency-Key': key });
      const again = await service.request(
        'POST',
        '/orders',
        {
          ...request,
          items: [
            { sku: 'TSHIRT-M', quantity: 1 },
            { sku: 'TSHIRT-M', quantity: 1 },
          ],
        },
        { 'Idempotency-Key': key },
      );

      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('location')).toBe(`/orders/${first.body.id}`);
      expect(again.body).toEqual(first.body);
      expect((await service.request('GET', '/orders?customerId=cust-idem')).body.items).toHaveLength(1);
      await service.placedEvent(first.body.id);
      expect(await service.emitted('order.placed', first.body.id)).toBe(1);
    });

    it('answers a replay as the order was placed, even after it moved on', async () => {
      const key = `key-${crypto.randomUUID()}`;
      const first = await service.request('POST', '/orders', orderRequest(), { 'Idempotency-Key': key });
      await service.publish(reservationFailed(await service.placedEvent(first.body.id)));
      await service.orderWhen(first.body.id, (order) => order.status === 'CANCELLED', 'order cancelled');

      const again = await service.request('POST', '/orders', orderRequest(), { 'Idempotency-Key': key });
      expect(again.body).toEqual(first.body);
    });

    it('refuses the same key with another body (422) and changes nothing', async () => {
      const key = `key-${crypto.randomUUID()}`;
      const first = await service.request('POST', '/orders', orderRequest({ customerId: 'cust-reuse' }), {
        'Idempotency-Key': key,
      });
      const other = await service.request(
        'POST',
        '/orders',
        orderRequest({ customerId: 'cust-reuse', items: [{ sku: 'MUG', quantity: 5 }] }),
        { 'Idempotency-Key': key },
      );
      expect(first.status).toBe(201);
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ type: 'urn:shopflow:problem:unprocessable', idempotencyKey: key });
      expect((await service.request('GET', '/orders?customerId=cust-reuse')).body.items).toHaveLength(1);
    });

    it('places one order when requests with the same key arrive at once', async () => {
      const key = `key-${crypto.randomUUID()}`;
      const request = orderRequest({ customerId: 'cust-race' });
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => service.request('POST', '/orders', request, { 'Idempotency-Key': key })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
      const { id } = answers[0]!.body;
      await service.placedEvent(id);
      expect(await service.emitted('order.placed', id)).toBe(1);
      expect((await service.request('GET', '/orders?customerId=cust-race')).body.items).toHaveLength(1);
    });
  });

  describe('local catalog', () => {
    it('prices with the latest update and ignores one that is older than what it has', async () => {
      await service.seedCatalog({ sku: 'LAMP', price: 4000 });
      const stale = productUpdated({ sku: 'LAMP', price: 1 }, new Date(Date.now() - 60_000));
      await service.publish(stale);
      await eventually(
        async () => {
          const { rowCount } = await service.sql.query('SELECT 1 FROM inbox_events WHERE event_id = $1', [stale.id]);
          return rowCount === 1;
        },
        { message: 'stale update handled' },
      );

      const res = await service.request('POST', '/orders', orderRequest({ items: [{ sku: 'LAMP', quantity: 1 }] }));
      expect(res.body.total).toEqual({ amount: 4000, currency: 'EUR' });

      await service.seedCatalog({ sku: 'LAMP', price: 4500 });
      const later = await service.request('POST', '/orders', orderRequest({ items: [{ sku: 'LAMP', quantity: 1 }] }));
      expect(later.body.total).toEqual({ amount: 4500, currency: 'EUR' });
    });

    it('shows its copy of the catalog', async () => {
      await service.seedCatalog({ sku: 'DESK-LAMP', price: 2900 });
      const one = await service.request('GET', '/catalog/DESK-LAMP');
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ sku: 'DESK-LAMP', price: 2900, currency: 'EUR' });
      const all = await service.request('GET', '/catalog');
      expect(all.body).toEqual(expect.arrayContaining([expect.objectContaining({ sku: 'DESK-LAMP' })]));
      expect((await service.request('GET', '/catalog/NOT-SOLD-HERE')).status).toBe(404);
    });
  });

  it('answers 404 for an unknown order id and for a malformed one', async () => {
    for (const id of [crypto.randomUUID(), 'not-a-uuid']) {
      const res = await service.request('GET', `/orders/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ type: 'urn:shopflow:problem:not_found', status: 404 });
    }
  });
});
