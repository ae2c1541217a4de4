import { eventually } from '@shopflow/testing';
import pg from 'pg';
import { Api, customer, type Order } from './support/api';
import { type GatewayProcess } from '@shopflow/gateway-simulator';
import { System } from './support/system';

/**
 * payment-service and the card processor's simulator, each its own process, over HTTP. A process
 * killed while it holds the processor's answer and has not committed it yet must, once restarted,
 * ask again with the same idempotency key and get the same answer: one charge, one refund.
 */
describe('payments against a real HTTP card processor', () => {
  let system: System;
  let api: Api;
  let gateway: GatewayProcess;
  let paymentDb: pg.Client;

  beforeAll(async () => {
    system = await System.start();
    api = new Api(system);
    gateway = system.gateway!;
    paymentDb = new pg.Client({ connectionString: system.envOf('payment-service')['DATABASE_URL'] });
    await paymentDb.connect();
  }, 180_000);

  afterEach(() => gateway.configure({ latency: { p50Ms: 0, p99Ms: 0 } }));

  afterAll(async () => {
    await paymentDb?.end();
    await system?.close();
  });

  const paymentStatus = async (orderId: string) =>
    (await paymentDb.query<{ status: string }>('SELECT status::text FROM payments WHERE order_id = $1', [orderId]))
      .rows[0]?.status;

  /**
   * Holds the order's payment row from another session, so that payment-service's transaction that
   * records the processor's answer waits on it; resolves once the service is seen waiting.
   */
  async function holdPaymentRow(orderId: string): Promise<{ release(): Promise<void> }> {
    const holder = new pg.Client({ connectionString: system.envOf('payment-service')['DATABASE_URL'] });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM payments WHERE order_id = $1 FOR UPDATE', [orderId]);
    return {
      async release() {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      },
    };
  }

  const serviceWaitsOnTheRow = () =>
    eventually(
      async () => {
        const { rows } = await paymentDb.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE payments%'`,
        );
        return rows[0]!.n > 0;
      },
      { timeoutMs: 20_000, message: "payment-service never came to record the processor's answer" },
    );

  const steps = (order: Order, step: string) => order.timeline.filter((t) => t.step === step).length;

  it("charges once when payment-service is killed between the processor's answer and its commit", async () => {
    const product = await api.newProduct(5);
    // Slow enough for the test to hold the row while the charge is pending.
    await gateway.configure({ latency: { p50Ms: 1000, p99Ms: 1000 } });
    const placed = await api.placeOrder({
      ...customer(),
      items: [{ sku: product.sku, quantity: 1 }],
      paymentToken: 'tok_ok',
    });
    await eventually(async () => (await paymentStatus(placed.id)) === 'pending');
    const held = await holdPaymentRow(placed.id);
    try {
      await eventually(async () => (await gateway.charges(placed.id)).length === 1, { message: 'never charged' });
      await serviceWaitsOnTheRow();
      expect(await paymentStatus(placed.id)).toBe('pending');
      await system.killService('payment-service');
    } finally {
      await held.release();
    }
    await system.startService('payment-service');

    const order = await api.finalOrder(placed.id);
    expect(order.status).toBe('CONFIRMED');
    expect(await gateway.charges(placed.id)).toHaveLength(1);
    expect(await api.payments(placed.id)).toMatchObject([{ status: 'succeeded' }]);
    expect(steps(order, 'payment-succeeded')).toBe(1);
  });

  it("refunds once when payment-service is killed between the refund's answer and its commit", async () => {
    const product = await api.newProduct(1);
    // The processor answers slowly: the order is cancelled (out of stock) while its charge is in
    // flight, so the charge, once answered, is refunded at once.
    await gateway.configure({ latency: { p50Ms: 1000, p99Ms: 1000 } });
    const placed = await api.placeOrder({
      ...customer(),
      items: [{ sku: product.sku, quantity: 2 }],
      paymentToken: 'tok_ok',
    });
    await eventually(async () => (await paymentStatus(placed.id)) === 'refund_pending', { timeoutMs: 20_000 });
    const held = await holdPaymentRow(placed.id);
    try {
      const [charge] = await gateway.charges(placed.id);
      await eventually(async () => (await gateway.refunds(charge!.id)).length === 1, { message: 'never refunded' });
      await serviceWaitsOnTheRow();
      await system.killService('payment-service');
    } finally {
      await held.release();
    }
    await system.startService('payment-service');

    await eventually(async () => (await paymentStatus(placed.id)) === 'refunded', { timeoutMs: 30_000 });
    const [charge] = await gateway.charges(placed.id);
    expect(await gateway.charges(placed.id)).toHaveLength(1);
    expect(await gateway.refunds(charge!.id)).toHaveLength(1);
    const order = await api.finalOrder(placed.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'out_of_stock' });
    await eventually(async () => steps(await api.order(placed.id), 'payment-refunded') === 1);
  });

  it('a slow processor (1 s) slows payments only, not order placement or stock reservation', async () => {
    await gateway.configure({ latency: { p50Ms: 1000, p99Ms: 1000 } });
    const product = await api.newProduct(50);
    const started = Date.now();
    const placed = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.placeOrder({ ...customer(), items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' }),
      ),
    );
    const placing = Date.now() - started;
    const orders = await Promise.all(placed.map((o) => api.finalOrder(o.id)));
    for (const order of orders) {
      const at = (step: string) => Date.parse(order.timeline.find((t) => t.step === step)!.at);
      expect(order.status).toBe('CONFIRMED');
      // The reservation does not wait for the payment; the payment waits for the processor.
      expect(at('inventory-reserved') - at('placed')).toBeLessThan(800);
      expect(at('payment-succeeded') - at('placed')).toBeGreaterThanOrEqual(1000);
    }
    expect(placing).toBeLessThan(800);
  });
});
