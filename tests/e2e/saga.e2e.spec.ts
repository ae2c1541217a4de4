import { eventually } from '@shopflow/testing';
import { Api, customer, customerCaller, SUPPORT } from './support/api';
import { EventTap } from './support/event-tap';
import { System } from './support/system';

describe('the order saga, end to end', () => {
  let system: System;
  let api: Api;
  let tap: EventTap;

  beforeAll(async () => {
    system = await System.start();
    api = new Api(system);
    tap = await EventTap.open(system.vhost.url, [{ exchange: 'orders', pattern: '#' }]);
  }, 180_000);

  afterAll(async () => {
    await tap?.close();
    await system?.close();
  });

  const mailsTo = (email: string) => system.smtp.messages.filter((m) => m.to.includes(email));
  /** The e-mails notification-service recorded as sent (an e-mail is listed from its claim on, before it is sent). */
  const templatesOf = async (orderId: string) =>
    (await api.notifications(orderId))
      .filter((n) => n.sentAt !== null)
      .map((n) => n.template)
      .sort();

  it('happy path: the order is confirmed, stock taken, paid once, and both e-mails arrive', async () => {
    const product = await api.newProduct(5, 1500);
    const who = customer();
    const placed = await api.placeOrder({ ...who, items: [{ sku: product.sku, quantity: 2 }], paymentToken: 'tok_ok' });
    expect(placed.status).toBe('PENDING');

    const order = await api.finalOrder(placed.id);
    expect(order).toMatchObject({ status: 'CONFIRMED', reason: null, total: { amount: 3000, currency: 'EUR' } });
    await eventually(async () => (await api.product(product.sku)).stock === 3);
    expect(await api.product(product.sku)).toMatchObject({ stock: 3, reserved: 0 });
    expect(await api.payments(order.id)).toMatchObject([{ status: 'succeeded', amount: 3000 }]);
    await eventually(async () => (await templatesOf(order.id)).length === 2);
    expect(await templatesOf(order.id)).toEqual(['order-confirmed', 'order-received']);
    expect(mailsTo(who.email)).toHaveLength(2);
    expect(order.timeline.map((t) => t.step)).toEqual(expect.arrayContaining(['placed', 'confirmed']));
  });

  it('out of stock: the order is cancelled, stock untouched, any charge refunded, a cancellation e-mail sent', async () => {
    const product = await api.newProduct(1);
    const who = customer();
    const placed = await api.placeOrder({ ...who, items: [{ sku: product.sku, quantity: 2 }], paymentToken: 'tok_ok' });

    const order = await api.finalOrder(placed.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'out_of_stock' });
    expect(await api.product(product.sku)).toMatchObject({ stock: 1, reserved: 0 });
    await eventually(async () => (await api.payments(order.id)).every((p) => p.status !== 'succeeded'), {
      message: 'a charge for a cancelled order was not refunded',
    });
    await eventually(async () => (await templatesOf(order.id)).includes('order-cancelled'));
    expect(mailsTo(who.email).some((m) => /cancel/i.test(m.subject))).toBe(true);
  });

  it('payment declined: the order is cancelled and its reservation released', async () => {
    const product = await api.newProduct(5);
    const who = customer();
    const placed = await api.placeOrder({
      ...who,
      items: [{ sku: product.sku, quantity: 2 }],
      paymentToken: 'tok_declined',
    });

    const order = await api.finalOrder(placed.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'payment_declined' });
    await eventually(
      async () => {
        const now = await api.product(product.sku);
        return now.stock === 5 && now.reserved === 0;
      },
      { message: 'reservation not released' },
    );
    expect(await api.payments(order.id)).toMatchObject([{ status: 'failed' }]);
    await eventually(async () => (await templatesOf(order.id)).includes('order-cancelled'));
  });

  it('invalid requests get a 4xx problem and store or publish nothing', async () => {
    const product = await api.newProduct(5);
    const who = customer();
    const valid = { ...who, items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' };
    const published = tap.messages.length;
    const invalid: [string, unknown, number][] = [
      ['unknown sku', { ...valid, items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] }, 422],
      ['zero quantity', { ...valid, items: [{ sku: product.sku, quantity: 0 }] }, 400],
      ['malformed JSON', '{"customerId": ', 400],
      ['missing fields', { customerId: who.customerId }, 400],
      ['no items', { ...valid, items: [] }, 400],
    ];
    for (const [what, body, status] of invalid) {
      const res = await api.postOrder(body);
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    }
    // A valid order after them: when its event arrives, anything the invalid ones published would have too.
    const marker = await api.placeOrder(valid);
    await eventually(() => tap.forOrder('order.placed.v1', marker.id).length === 1);
    // Everything published since is about the marker (its saga may already be moving on).
    const orderIds = new Set(tap.messages.slice(published).map((m) => m.json().payload['orderId']));
    expect([...orderIds]).toEqual([marker.id]);
    expect((await api.ordersOf(who.customerId)).map((o) => o.id)).toEqual([marker.id]);
  });

  it('the same Idempotency-Key twice makes one order', async () => {
    const product = await api.newProduct(5);
    const who = customer();
    const body = { ...who, items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' };
    const key = crypto.randomUUID();
    const first = await api.placeOrder(body, { 'Idempotency-Key': key });
    const second = await api.placeOrder(body, { 'Idempotency-Key': key });
    expect(second.id).toBe(first.id);
    const conflicting = await api.postOrder({ ...body, paymentToken: 'tok_declined' }, { 'Idempotency-Key': key });
    expect(conflicting.status).toBe(422);
    expect((await api.ordersOf(who.customerId)).map((o) => o.id)).toEqual([first.id]);
    await api.finalOrder(first.id);
  });

  it('an event published twice by hand has one effect in every service', async () => {
    const product = await api.newProduct(10);
    const who = customer();
    const order = await api.finalOrder(
      (await api.placeOrder({ ...who, items: [{ sku: product.sku, quantity: 3 }], paymentToken: 'tok_ok' })).id,
    );
    expect(order.status).toBe('CONFIRMED');
    await eventually(async () => (await templatesOf(order.id)).length === 2);
    const [placedEvent] = tap.forOrder('order.placed.v1', order.id);
    const [confirmedEvent] = tap.forOrder('order.confirmed.v1', order.id);

    await tap.publish('orders', 'order.placed.v1', placedEvent!.content);
    await tap.publish('orders', 'order.placed.v1', placedEvent!.content);
    await tap.publish('orders', 'order.confirmed.v1', confirmedEvent!.content);

    // Everything queued before a later order's saga completes has been handled by then.
    const marker = await api.placeOrder({
      ...customer(),
      items: [{ sku: product.sku, quantity: 1 }],
      paymentToken: 'tok_ok',
    });
    await api.finalOrder(marker.id);
    await eventually(async () => (await templatesOf(marker.id)).length === 2);

    expect(await api.payments(order.id)).toHaveLength(1);
    expect(await templatesOf(order.id)).toEqual(['order-confirmed', 'order-received']);
    expect(mailsTo(who.email)).toHaveLength(2);
    expect(await api.product(product.sku)).toMatchObject({ stock: 6, reserved: 0 });
    expect((await api.order(order.id)).status).toBe('CONFIRMED');
  });

  it('a malformed message is dead-lettered by each consumer, and later orders still complete', async () => {
    await tap.publish('orders', 'order.placed.v1', '{"this is": not json');
    for (const service of ['inventory-service', 'payment-service', 'notification-service']) {
      await eventually(async () => (await tap.messageCount(`${service}.dead-letter`)) >= 1, {
        message: `${service} did not dead-letter the malformed message`,
      });
    }
    const product = await api.newProduct(2);
    const placed = await api.placeOrder({
      ...customer(),
      items: [{ sku: product.sku, quantity: 1 }],
      paymentToken: 'tok_ok',
    });
    expect((await api.finalOrder(placed.id)).status).toBe('CONFIRMED');
  });

  it("a customer's token from the identity provider places and follows their own order, and opens nothing else", async () => {
    const product = await api.newProduct(5);
    const ada = customer();
    const bob = customer();
    // No customerId in the body: the token's subject is the customer.
    const body = { email: ada.email, items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' };
    const res = await api.postOrder(body, {}, customerCaller(ada.customerId));
    expect(res.status).toBe(201);
    const placed = (await res.json()) as { id: string; customerId: string };
    expect(placed.customerId).toBe(ada.customerId);
    expect((await api.order(placed.id, customerCaller(ada.customerId))).id).toBe(placed.id);
    const asBob = async (service: Parameters<System['url']>[0], path: string) =>
      (
        await fetch(`${system.url(service)}${path}`, {
          headers: await api.authorization(customerCaller(bob.customerId)),
        })
      ).status;
    expect(await asBob('order-service', `/orders/${placed.id}`)).toBe(404);
    expect(await asBob('payment-service', `/payments?orderId=${placed.id}`)).toBe(403);
    expect(await asBob('notification-service', `/notifications?orderId=${placed.id}`)).toBe(403);
    expect(await asBob('inventory-service', `/products/${product.sku}`)).toBe(403);
    expect((await fetch(`${system.url('order-service')}/orders/${placed.id}`)).status).toBe(401);
    expect((await api.order(placed.id, SUPPORT)).id).toBe(placed.id);
    expect((await api.finalOrder(placed.id)).status).toBe('CONFIRMED');
  });
});
