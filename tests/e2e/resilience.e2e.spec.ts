import { eventually } from '@shopflow/testing';
import { Api, customer } from './support/api';
import { System } from './support/system';

describe('the saga under failures and load', () => {
  let system: System;
  let api: Api;

  beforeAll(async () => {
    system = await System.start();
    api = new Api(system);
  }, 180_000);

  afterAll(async () => {
    await system?.close();
  });

  it('payment-service down while an order is placed: the order completes once it is back', async () => {
    const product = await api.newProduct(5);
    expect(await system.stopService('payment-service')).toEqual([0]);

    const placed = await api.placeOrder({
      ...customer(),
      items: [{ sku: product.sku, quantity: 1 }],
      paymentToken: 'tok_ok',
    });
    // Inventory still works meanwhile; the order waits for its payment.
    await eventually(async () => (await api.product(product.sku)).reserved === 1);
    expect((await api.order(placed.id)).status).toBe('PENDING');

    await system.startService('payment-service');
    const order = await api.finalOrder(placed.id);
    expect(order.status).toBe('CONFIRMED');
    expect(await api.payments(order.id)).toMatchObject([{ status: 'succeeded' }]);
    await eventually(async () => (await api.product(product.sku)).stock === 4);
  });

  it('two inventory replicas and 40 concurrent orders for 10 items: exactly 10 confirmed, nothing oversold', async () => {
    await system.startService('inventory-service');
    expect(system.replicas('inventory-service')).toHaveLength(2);
    const product = await api.newProduct(10);

    const placed = await Promise.all(
      Array.from({ length: 40 }, () =>
        api.placeOrder({ ...customer(), items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' }),
      ),
    );
    const orders = await Promise.all(placed.map((o) => api.finalOrder(o.id, 60_000)));

    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    const cancelled = orders.filter((o) => o.status === 'CANCELLED');
    expect(confirmed).toHaveLength(10);
    expect(cancelled).toHaveLength(30);
    expect(new Set(cancelled.map((o) => o.reason))).toEqual(new Set(['out_of_stock']));
    await eventually(
      async () => {
        const now = await api.product(product.sku);
        return now.stock === 0 && now.reserved === 0;
      },
      { message: 'stock did not settle at 0' },
    );

    // No order is charged without being confirmed, or refunded.
    for (const order of confirmed) {
      expect(await api.payments(order.id)).toMatchObject([{ status: 'succeeded' }]);
    }
    await eventually(
      async () => {
        for (const order of cancelled) {
          if ((await api.payments(order.id)).some((p) => p.status === 'succeeded')) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, message: 'a cancelled order kept its charge' },
    );
  });

  it('two inventory replicas: one reads the queue at a time, the other takes over when it is killed', async () => {
    while (system.replicas('inventory-service').length < 2) await system.startService('inventory-service');
    const product = await api.newProduct(100);
    const order = () =>
      api.placeOrder({ ...customer(), items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' });
    const confirmAll = async (count: number) => {
      const placed = await Promise.all(Array.from({ length: count }, order));
      const final = await Promise.all(placed.map((o) => api.finalOrder(o.id, 60_000)));
      expect(final.map((o) => o.status)).toEqual(Array(count).fill('CONFIRMED'));
    };
    const [first, second] = system.replicas('inventory-service');
    if (!first || !second) throw new Error('two inventory replicas expected');
    const before = [await placedHandled(first.url), await placedHandled(second.url)];

    await confirmAll(12);
    const during = [(await placedHandled(first.url)) - before[0]!, (await placedHandled(second.url)) - before[1]!];
    // Single active consumer: the 12 order.placed went to one replica, none to the other.
    expect(during.toSorted()).toEqual([0, 12]);

    const [active, standby] = during[0] === 12 ? [first, second] : [second, first];
    await system.killReplica('inventory-service', active);
    const standbyBefore = await placedHandled(standby.url);
    await confirmAll(5);
    expect((await placedHandled(standby.url)) - standbyBefore).toBe(5);
    await eventually(async () => (await api.product(product.sku)).stock === 83, {
      message: 'stock did not settle at 100 - 17',
    });
  });
});

/** order.placed events a replica has handled, from its own /metrics. */
async function placedHandled(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('shopflow_events_consumed_total{') &&
        l.includes('event_type="order.placed"') &&
        l.includes('outcome="handled"'),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}
