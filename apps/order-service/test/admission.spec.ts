import { Database } from '@shopflow/postgres';
import { eventually, sampleValue, scrapeMetrics } from '@shopflow/testing';
import { Registry } from 'prom-client';
import { type Config } from '../src/config';
import { type AdmissionBounds } from '../src/domain/admission';
import { BacklogMonitor } from '../src/jobs/backlog-monitor';
import { admissionMetrics } from '../src/metrics/admission-metrics';
import {
  OrderServiceUnderTest,
  orderRequest,
  paymentSucceeded,
  reservationFailed,
  reserved,
  silentLogger,
  type HttpAnswer,
  type Placed,
} from './harness';

jest.setTimeout(30_000);

// No other service runs here: an order stays PENDING until a test reports on it, so the backlog is
// exactly the orders a test placed and has not finished.

const metric = async (service: OrderServiceUnderTest, name: string, labels: Record<string, string> = {}) =>
  sampleValue(await scrapeMetrics(`http://127.0.0.1:${service.replicas[0]!.port}`), name, labels);

/** Waits until the replica's backlog monitor has measured what `probe` accepts (its gauges show it). */
const measured = (service: OrderServiceUnderTest, name: string, probe: (value: number | undefined) => boolean) =>
  eventually(
    async () => {
      const value = await metric(service, name);
      if (!probe(value)) throw new Error(`${name} is ${value}`);
    },
    { message: `${name} measured` },
  );

const ordersOf = async (service: OrderServiceUnderTest, customerId?: string) => {
  const { rows } = await service.sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM orders WHERE $1::text IS NULL OR customer_id = $1',
    [customerId ?? null],
  );
  return rows[0]!.n;
};

const placedEventsOf = async (service: OrderServiceUnderTest) =>
  (await service.publishedSoFar()).filter((event) => event.type === 'order.placed');

/** The service under test with these admission settings, its catalog holding the one product the tests order. */
const startWith = async (prefix: string, admission: Partial<Config> = {}) => {
  const service = await OrderServiceUnderTest.start(prefix, admission);
  await service.seedCatalog({ sku: 'TSHIRT-M', price: 1999 });
  return service;
};

/** An age bound of 300 ms, measured every 20 ms, that leaves out one straggler. */
const AGE_BOUND: Partial<Config> = {
  ADMISSION_MAX_PENDING_AGE_MS: 300,
  ADMISSION_AGE_STRAGGLERS: 1,
  ADMISSION_REFRESH_INTERVAL_MS: 20,
};

/** Plays inventory-service: reports the orders' stock reserved, and waits until the service has recorded it. */
const stockReserved = async (service: OrderServiceUnderTest, ...orders: Placed[]) => {
  await service.publish(...orders.map((placed) => reserved(placed)));
  await eventually(
    async () => {
      const { rows } = await service.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND inventory_status = 'reserved'`,
        [orders.map((placed) => placed.payload.orderId)],
      );
      if (rows[0]!.n !== orders.length) throw new Error(`${rows[0]!.n} of ${orders.length} reserved`);
    },
    { message: 'stock reserved' },
  );
};

/** Places an order (expecting it accepted) whose stock inventory reserves at once; its payment stays unanswered. */
const placeReserved = async (service: OrderServiceUnderTest, customerId: string) => {
  const res = await service.request('POST', '/orders', orderRequest({ customerId }));
  expect(res.status).toBe(201);
  const placed = await service.placedEvent(res.body.id);
  await stockReserved(service, placed);
  return placed;
};

/** PENDING orders older than `ms` whose stock is reserved: those waiting only for the card processor. */
const awaitingPaymentOnly = async (service: OrderServiceUnderTest, ms: number) => {
  const { rows } = await service.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM orders
     WHERE status = 'PENDING' AND inventory_status = 'reserved' AND created_at < now() - $1 * interval '1 ms'`,
    [ms],
  );
  return rows[0]!.n;
};

/** Retries POST /orders until it is accepted: a refused one stores nothing, so this places one order. */
const placeOnceAccepted = (service: OrderServiceUnderTest, customerId: string) =>
  eventually(
    async () => {
      const res = await service.request('POST', '/orders', orderRequest({ customerId }));
      if (res.status !== 201) throw new Error(`POST /orders answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res;
    },
    { message: 'order accepted again' },
  );

const expectRefused = (res: HttpAnswer, reason: string) => {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('retry-after')).toBe('1');
  expect(res.body).toEqual({
    type: 'urn:shopflow:problem:unavailable',
    title: 'Service unavailable',
    status: 503,
    detail: expect.stringMatching(/try again later/),
    instance: '/orders',
    reason,
    retryAfterSeconds: 1,
  });
};

describe('admission control: the number of unfinished sagas', () => {
  let service: OrderServiceUnderTest;
  const placed: Placed[] = [];

  beforeAll(async () => {
    service = await startWith('order_admission_count', {
      ADMISSION_MAX_PENDING_ORDERS: 3,
      ADMISSION_REFRESH_INTERVAL_MS: 20,
    });
  });

  afterAll(() => service?.stop());

  it('refuses a new order once 3 are PENDING: 503 problem+json with Retry-After, nothing stored or published', async () => {
    for (let i = 0; i < 3; i++) placed.push(await service.placeOrder());
    await measured(service, 'shopflow_pending_orders', (value) => value === 3);

    const res = await service.request('POST', '/orders', orderRequest({ customerId: 'cust-refused' }), {
      'Idempotency-Key': `key-${crypto.randomUUID()}`,
    });

    expectRefused(res, 'pending_orders');
    expect(await ordersOf(service)).toBe(3);
    expect(await ordersOf(service, 'cust-refused')).toBe(0);
    const events = await placedEventsOf(service);
    expect(events.map((event) => (event.payload as { orderId: string }).orderId)).toEqual(
      placed.map((p) => p.payload.orderId),
    );
    expect(await metric(service, 'shopflow_orders_refused_total', { reason: 'pending_orders' })).toBe(1);
    expect(await metric(service, 'shopflow_orders_refused_total', { reason: 'pending_age' })).toBe(0);
  });

  it('stays ready while it refuses: refusing is the answer to overload, not leaving the load balancer', async () => {
    const ready = await service.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect((await service.request('POST', '/orders', orderRequest())).status).toBe(503);
  });

  it('accepts orders again once a saga finished and the backlog is under its bound', async () => {
    await service.publish(reservationFailed(placed[0]!));
    await service.orderWhen(placed[0]!.payload.orderId, (o) => o.status === 'CANCELLED', 'first order cancelled');

    const res = await placeOnceAccepted(service, 'cust-after');
    expect(await ordersOf(service, 'cust-after')).toBe(1);
    expect((await service.placedEvent(res.body.id)).payload.customerId).toBe('cust-after');
  });
});

describe('admission control: between two measurements', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    // Measured once at start-up (an empty backlog), then not for a minute.
    service = await startWith('order_admission_burst', {
      ADMISSION_MAX_PENDING_ORDERS: 3,
      ADMISSION_REFRESH_INTERVAL_MS: 60_000,
    });
    await measured(service, 'shopflow_pending_orders', (value) => value === 0);
  });

  afterAll(() => service?.stop());

  it('counts the orders it admitted since the last measurement: a burst stops at the bound', async () => {
    // Requests refused for their caller pass the screening, but never take an order's place.
    const unauthenticated = { authorization: 'Bearer not-a-token' };
    const staff = { sub: 'staff-1', scope: 'catalog:write' };
    for (let i = 0; i < 3; i++) {
      expect((await service.request('POST', '/orders', orderRequest(), unauthenticated)).status).toBe(401);
      expect((await service.request('POST', '/orders', orderRequest(), {}, staff)).status).toBe(403);
    }
    for (let i = 0; i < 3; i++) await service.placeOrder();

    expectRefused(
      await service.request('POST', '/orders', orderRequest({ customerId: 'cust-burst' })),
      'pending_orders',
    );
    expect(await metric(service, 'shopflow_pending_orders')).toBe(0);
    expect(await ordersOf(service)).toBe(3);
  });
});

describe('admission control: how long the backlog has waited', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startWith('order_admission_age', AGE_BOUND);
  });

  afterAll(() => service?.stop());

  it('refuses once the backlog, its oldest straggler left out, waited past the bound; the straggler alone does not', async () => {
    const stuck = await service.placeOrder();
    const waiting = await service.placeOrder();
    // The age is that of the second oldest: `waiting`'s.
    await measured(service, 'shopflow_pending_orders_age_seconds', (seconds) => (seconds ?? 0) > 0.3);

    expectRefused(await service.request('POST', '/orders', orderRequest({ customerId: 'cust-late' })), 'pending_age');
    expect(await ordersOf(service)).toBe(2);
    expect((await placedEventsOf(service)).map((event) => (event.payload as { orderId: string }).orderId)).toEqual([
      stuck.payload.orderId,
      waiting.payload.orderId,
    ]);
    expect(await metric(service, 'shopflow_orders_refused_total', { reason: 'pending_age' })).toBe(1);
    // The age turned into a limit on the backlog (both orders, the straggler's floor: 2).
    expect(await metric(service, 'shopflow_pending_orders_limit')).toBe(2);

    // Left alone in the backlog, the stuck order is the straggler the age leaves out.
    await service.publish(reservationFailed(waiting));
    await placeOnceAccepted(service, 'cust-after-age');
    const old = await service.orderWhen(stuck.payload.orderId, (o) => o.status === 'PENDING', 'still pending');
    expect(Date.now() - Date.parse(old.createdAt)).toBeGreaterThan(300);
    expect(await ordersOf(service, 'cust-after-age')).toBe(1);
  });
});

/**
 * The service, and a backlog monitor of the test's own on its database, measuring only when the test
 * says (run()), with its own metrics registry; `gauge` reads one of its gauges.
 */
const withOwnMonitor = async (
  prefix: string,
  bounds: Omit<AdmissionBounds, 'retryAfterSeconds' | 'viewExpiresAfterMs'>,
) => {
  const service = await startWith(prefix);
  const registry = new Registry();
  const monitor = new BacklogMonitor({
    db: new Database({ url: service.database.url, poolSize: 1 }),
    intervalMs: 60_000,
    bounds: { retryAfterSeconds: 1, viewExpiresAfterMs: 60_000, ...bounds },
    logger: silentLogger,
    metrics: admissionMetrics(registry),
  });
  const gauge = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
  const stop = async () => {
    try {
      await monitor.close();
    } finally {
      await service.stop();
    }
  };
  return { service, monitor, gauge, stop };
};

describe('admission control: a limit cut low, then reservations faster than a measurement', () => {
  let sut: Awaited<ReturnType<typeof withOwnMonitor>>;
  const admitted = (times: number) => Array.from({ length: times }, () => sut.monitor.admit().admitted);
  const limit = () => sut.gauge('shopflow_pending_orders_limit');

  beforeAll(async () => {
    sut = await withOwnMonitor('order_admission_regrow', {
      maxPendingOrders: 100,
      maxPendingAgeMs: 300,
      // The refusals here are few in number but a large share: no shorter bound for sustained overload.
      overloadPendingAgeMs: 0,
      ageStragglers: 1,
    });
  });

  afterAll(() => sut?.stop());

  it('grows the limit again while it refuses orders, though the backlog it measures stays below it', async () => {
    // Two orders unanswered past the bound cut the limit to its floor: 2.
    const stuck = [await sut.service.placeOrder(), await sut.service.placeOrder()];
    await eventually(async () => {
      await sut.monitor.run();
      expect(await limit()).toBe(2);
    });
    await sut.service.publish(...stuck.map((placed) => reservationFailed(placed)));
    for (const placed of stuck)
      await sut.service.orderWhen(placed.payload.orderId, (o) => o.status === 'CANCELLED', 'cancelled');
    await sut.monitor.run();
    expect(await limit()).toBe(2);

    // Nothing awaits a reservation when measured (as when reservations come back within a
    // measurement interval): the limit refuses orders admitted since, and then grows.
    expect(admitted(3)).toEqual([true, true, false]);
    await sut.monitor.run();
    expect(await limit()).toBe(3);
    expect(admitted(4)).toEqual([true, true, true, false]);
  });
});

describe('admission control: sustained overload', () => {
  let sut: Awaited<ReturnType<typeof withOwnMonitor>>;

  beforeAll(async () => {
    // A long age bound and a short one for sustained overload; 4 PENDING orders at most.
    sut = await withOwnMonitor('order_admission_overload', {
      maxPendingOrders: 4,
      maxPendingAgeMs: 60_000,
      overloadPendingAgeMs: 200,
      ageStragglers: 0,
    });
  });

  afterAll(() => sut?.stop());

  it('holds the backlog to the shorter age bound once most orders offered have been refused for three seconds', async () => {
    // Three orders awaiting their reservation past the short bound, far within the long one.
    for (let i = 0; i < 3; i++) await sut.service.placeOrder();
    await eventually(async () => {
      await sut.monitor.run();
      expect(await sut.gauge('shopflow_pending_orders_age_seconds')).toBeGreaterThan(0.2);
    });
    expect(await sut.gauge('shopflow_admission_age_bound_seconds')).toBe(60);
    expect(sut.monitor.admit().admitted).toBe(true);

    // Offered far more than the 4 PENDING orders allow, measurement after measurement: 7 of every 8
    // refused. Once that has lasted three seconds, the backlog's age is held to 200 ms, and it is older.
    await eventually(async () => {
      const offered = Array.from({ length: 8 }, () => sut.monitor.admit());
      expect(offered.filter((admission) => !admission.admitted).length).toBeGreaterThanOrEqual(6);
      await sut.monitor.run();
      expect(await sut.gauge('shopflow_admission_age_bound_seconds')).toBe(0.2);
    });
    expect(sut.monitor.admit()).toMatchObject({ admitted: false, reason: 'pending_age' });
    // Scaled with the bound at once (3 × 200 ÷ 60,000, at least 1), not cut by a fifth to 2.
    expect(await sut.gauge('shopflow_pending_orders_limit')).toBe(1);
  });
});

describe('admission control: a slow card processor', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startWith('order_admission_slow_payment', { ...AGE_BOUND, ADMISSION_MAX_PENDING_ORDERS: 1000 });
  });

  afterAll(() => service?.stop());

  it('does not refuse new orders because their payments wait past the bound: their stock is reserved', async () => {
    // Inventory answers each order at once; the card processor answers none of them.
    const placed: Placed[] = [];
    for (let i = 0; i < 12; i++) placed.push(await placeReserved(service, `cust-paying-${i}`));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await awaitingPaymentOnly(service, 400)).toBe(12);
    // One payment answered: once the monitor counts 11 PENDING orders, it has measured them all past the bound.
    await service.publish(paymentSucceeded(placed[0]!));
    await measured(service, 'shopflow_pending_orders', (value) => value === 11);
    expect(await metric(service, 'shopflow_orders_awaiting_inventory')).toBe(0);
    expect(await metric(service, 'shopflow_pending_orders_age_seconds')).toBe(0);

    for (let i = 0; i < 3; i++) {
      const res = await service.request('POST', '/orders', orderRequest({ customerId: `cust-slow-pay-${i}` }));
      expect(res.status).toBe(201);
    }
    expect(await metric(service, 'shopflow_orders_refused_total', { reason: 'pending_age' })).toBe(0);
    expect(await metric(service, 'shopflow_pending_orders_limit')).toBe(1000);
    expect(await awaitingPaymentOnly(service, 400)).toBe(11);
  });
});

describe('admission control: orders awaiting inventory among orders awaiting payment', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startWith('order_admission_wait_inventory', { ...AGE_BOUND, ADMISSION_MAX_PENDING_ORDERS: 1000 });
  });

  afterAll(() => service?.stop());

  it('refuses once the orders awaiting their reservation waited past the bound, and limits their count, not all PENDING ones', async () => {
    for (let i = 0; i < 3; i++) await placeReserved(service, `cust-paying-${i}`);
    // Inventory answers neither of these: the first is the straggler the age leaves out.
    await service.placeOrder();
    const waiting = await service.placeOrder();
    await measured(service, 'shopflow_pending_orders_age_seconds', (seconds) => (seconds ?? 0) > 0.3);

    expectRefused(await service.request('POST', '/orders', orderRequest({ customerId: 'cust-late' })), 'pending_age');
    expect(await ordersOf(service, 'cust-late')).toBe(0);
    expect(await metric(service, 'shopflow_pending_orders')).toBe(5);
    expect(await metric(service, 'shopflow_orders_awaiting_inventory')).toBe(2);
    // Little's law on the orders the age is of: the 2 awaiting their reservation (cut to the
    // straggler's floor, 2), not the 5 PENDING ones (which a fifth at most would cut to 4).
    expect(await metric(service, 'shopflow_pending_orders_limit')).toBe(2);

    // Inventory answers `waiting`: the other one is a straggler again, and orders are accepted while
    // four payments stay unanswered past the bound.
    await stockReserved(service, waiting);
    await placeOnceAccepted(service, 'cust-after-reservation');
    expect(await ordersOf(service, 'cust-after-reservation')).toBe(1);
    expect(await awaitingPaymentOnly(service, 300)).toBe(4);
  });
});
