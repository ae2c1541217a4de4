import { eventually } from '@shopflow/testing';
import { OrderServiceUnderTest, orderRequest, paymentSucceeded, reserved, type Placed } from './harness';

jest.setTimeout(30_000);

const ORDER_TIMEOUT_MS = 1000;

describe('orders past their deadline', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    // Two replicas, two sweepers: each expired order must still be cancelled once.
    service = await OrderServiceUnderTest.start('order_timeout', { ORDER_TIMEOUT_MS, TIMEOUT_SWEEP_INTERVAL_MS: 50 });
    await service.startReplica();
    await service.seedCatalog({ sku: 'TSHIRT-M', price: 1999 });
  });

  afterAll(() => service?.stop());

  const place = async (): Promise<Placed> => {
    const res = await service.request('POST', '/orders', orderRequest({ customerId: 'cust-slow' }));
    return service.placedEvent(res.body.id);
  };

  it('are cancelled once with reason timeout, unless they were decided in time', async () => {
    const decided = await place();
    await service.publish(reserved(decided), paymentSucceeded(decided));
    await service.orderWhen(decided.payload.orderId, (o) => o.status === 'CONFIRMED', 'confirmed in time');

    const forgotten = await Promise.all(Array.from({ length: 5 }, place));
    for (const placed of forgotten) {
      const orderId = placed.payload.orderId;
      const cancelled = await service.waitForEvent('order.cancelled', orderId);
      expect(cancelled).toMatchObject({
        source: 'order-service',
        correlationId: placed.correlationId,
        payload: { orderId, customerId: 'cust-slow', email: 'ada@example.com', reason: 'timeout' },
      });
      const order = await service.orderWhen(orderId, (o) => o.status === 'CANCELLED', 'cancelled');
      expect(order.reason).toBe('timeout');
      expect(Date.parse(cancelled.occurredAt) - Date.parse(order.createdAt)).toBeGreaterThanOrEqual(ORDER_TIMEOUT_MS);
      expect(order.timeline.map((e: { step: string }) => e.step)).toEqual(['placed', 'cancelled']);
      expect(await service.emitted('order.cancelled', orderId)).toBe(1);
    }

    // Every forgotten order's deadline came after the decided one's, so the sweepers have been past it.
    const { body } = await service.request('GET', `/orders/${decided.payload.orderId}`);
    expect(body.status).toBe('CONFIRMED');
    expect(await service.emitted('order.cancelled', decided.payload.orderId)).toBe(0);
  });

  it('record a report that arrives after the timeout without changing the outcome', async () => {
    const placed = await place();
    const orderId = placed.payload.orderId;
    await service.waitForEvent('order.cancelled', orderId);
    const late = reserved(placed);
    await service.publish(late);

    await eventually(async () => (await service.steps(orderId)).includes('inventory-reserved'), {
      message: 'late reservation recorded',
    });
    const { body } = await service.request('GET', `/orders/${orderId}`);
    expect(body).toMatchObject({ status: 'CANCELLED', reason: 'timeout' });
    expect(await service.emitted('order.cancelled', orderId)).toBe(1);
    expect(await service.emitted('order.confirmed', orderId)).toBe(0);
  });
});
