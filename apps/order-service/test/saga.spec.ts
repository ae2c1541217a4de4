import { eventually, sampleValue, scrapeMetrics } from '@shopflow/testing';
import { createEvent, InventoryReleasedV1, NotificationSentV1, PaymentRefundedV1 } from '@shopflow/events';
import {
  OrderServiceUnderTest,
  paymentFailed,
  paymentSucceeded,
  reservationFailed,
  reserved,
  type Placed,
} from './harness';

jest.setTimeout(30_000);

describe('the order saga', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    // One message at a time, in queue order: lets a test know what was handled before what.
    service = await OrderServiceUnderTest.start('order_saga', { PREFETCH: 1 });
    await service.seedCatalog({ sku: 'TSHIRT-M', price: 1999 });
  });

  afterAll(() => service?.stop());

  const place = (correlationId = `req-${crypto.randomUUID()}`): Promise<Placed> =>
    service.placeOrder({ 'X-Correlation-Id': correlationId });

  const notificationSent = (placed: Placed, template: 'order-confirmed' | 'order-cancelled') =>
    createEvent(
      NotificationSentV1,
      { orderId: placed.payload.orderId, template, recipient: 'ada@example.com', messageId: 'm-1' },
      { source: 'notification-service', causedBy: placed },
    );

  it.each([
    ['reservation first', (p: Placed) => [reserved(p), paymentSucceeded(p)]],
    ['payment first', (p: Placed) => [paymentSucceeded(p), reserved(p)]],
  ])('confirms the order once stock is reserved and payment succeeded (%s)', async (_order, reports) => {
    const placed = await place('req-happy');
    const [first, last] = reports(placed);
    await service.publish(first!, last!);

    const confirmed = await service.waitForEvent('order.confirmed', placed.payload.orderId);
    expect(confirmed).toMatchObject({
      source: 'order-service',
      correlationId: 'req-happy',
      causationId: last!.id,
      payload: {
        orderId: placed.payload.orderId,
        customerId: 'cust-1',
        email: 'ada@example.com',
        total: { amount: 3998, currency: 'EUR' },
      },
    });
    const order = await service.orderWhen(placed.payload.orderId, (o) => o.status === 'CONFIRMED', 'confirmed');
    expect(order.reason).toBeNull();
    expect(order.timeline).toEqual([
      { step: 'placed', at: order.createdAt },
      { step: first!.type.replace('.', '-'), at: first!.occurredAt },
      { step: last!.type.replace('.', '-'), at: last!.occurredAt },
      { step: 'confirmed', at: confirmed.occurredAt },
    ]);
  });

  it('cancels when stock is missing, and records what the others do about it', async () => {
    const placed = await place();
    const orderId = placed.payload.orderId;
    const failure = reservationFailed(placed, 'out_of_stock');
    await service.publish(failure);

    const cancelled = await service.waitForEvent('order.cancelled', orderId);
    expect(cancelled).toMatchObject({
      correlationId: placed.correlationId,
      causationId: failure.id,
      payload: { orderId, customerId: 'cust-1', email: 'ada@example.com', reason: 'out_of_stock' },
    });
    const order = await service.orderWhen(orderId, (o) => o.status === 'CANCELLED', 'cancelled');
    expect(order.reason).toBe('out_of_stock');

    // Payment charged before it saw the cancellation, then refunds on its own.
    const paid = paymentSucceeded(placed);
    await service.publish(paid);
    await service.publish(
      createEvent(
        PaymentRefundedV1,
        { orderId, paymentId: paid.payload.paymentId, amount: paid.payload.amount },
        { source: 'payment-service', causedBy: cancelled },
      ),
      notificationSent(placed, 'order-cancelled'),
    );
    const final = await service.orderWhen(
      orderId,
      (o) => o.timeline.some((e: { step: string }) => e.step === 'notification-sent'),
      'notification recorded',
    );
    expect(final).toMatchObject({ status: 'CANCELLED', reason: 'out_of_stock' });
    expect(final.timeline).toEqual([
      { step: 'placed', at: order.createdAt },
      { step: 'inventory-reservation-failed', at: failure.occurredAt, detail: 'out_of_stock' },
      { step: 'cancelled', at: cancelled.occurredAt, detail: 'out_of_stock' },
      { step: 'payment-succeeded', at: paid.occurredAt },
      { step: 'payment-refunded', at: expect.any(String) },
      { step: 'notification-sent', at: expect.any(String), detail: 'order-cancelled' },
    ]);
    expect(await service.emitted('order.confirmed', orderId)).toBe(0);
    expect(await service.emitted('order.cancelled', orderId)).toBe(1);
  });

  it.each([
    ['declined', 'payment_declined'],
    ['insufficient_funds', 'insufficient_funds'],
  ] as const)('cancels when the payment fails (%s → %s)', async (failure, reason) => {
    const placed = await place();
    const orderId = placed.payload.orderId;
    const failed = paymentFailed(placed, failure);
    await service.publish(reserved(placed), failed);

    expect(await service.waitForEvent('order.cancelled', orderId)).toMatchObject({
      causationId: failed.id,
      payload: { reason },
    });
    const order = await service.orderWhen(orderId, (o) => o.status === 'CANCELLED', 'cancelled');
    expect(order.reason).toBe(reason);

    const released = createEvent(
      InventoryReleasedV1,
      { orderId, items: [{ sku: 'TSHIRT-M', quantity: 2 }] },
      { source: 'inventory-service', causedBy: placed },
    );
    await service.publish(released);
    await service.orderWhen(orderId, (o) => o.timeline.at(-1).step === 'inventory-released', 'release recorded');
  });

  it('cancels with reason unknown_item when inventory does not know an item', async () => {
    const placed = await place();
    await service.publish(reservationFailed(placed, 'unknown_item'));
    const order = await service.orderWhen(placed.payload.orderId, (o) => o.status === 'CANCELLED', 'cancelled');
    expect(order.reason).toBe('unknown_item');
  });

  it('has one effect per event, however often it is delivered', async () => {
    const placed = await place();
    const orderId = placed.payload.orderId;
    const reservation = reserved(placed);
    const payment = paymentSucceeded(placed);
    await service.publish(reservation, reservation, payment, payment, reservation);
    await service.waitForEvent('order.confirmed', orderId);
    // Handled one at a time in queue order: once this later event shows, every copy above was handled.
    await service.publish(notificationSent(placed, 'order-confirmed'));
    await service.orderWhen(orderId, (o) => o.timeline.at(-1).step === 'notification-sent', 'notification recorded');

    expect(await service.steps(orderId)).toEqual([
      'placed',
      'inventory-reserved',
      'payment-succeeded',
      'confirmed',
      'notification-sent',
    ]);
    expect(await service.emitted('order.confirmed', orderId)).toBe(1);
    expect(service.eventsOf(orderId).map((e) => e.type)).toEqual(['order.placed', 'order.confirmed']);
  });

  it('records no timeline fact about an order nobody placed: the event is retried as not found', async () => {
    const orderId = crypto.randomUUID();
    const stray = createEvent(
      NotificationSentV1,
      { orderId, template: 'order-received', recipient: 'ada@example.com', messageId: 'm-stray' },
      { source: 'notification-service', correlationId: `req-${orderId}` },
    );
    await service.publish(stray);
    await eventually(async () => {
      const metrics = await scrapeMetrics(`http://127.0.0.1:${service.replicas[0]!.port}`);
      const retried = { event_type: 'notification.sent', outcome: 'retried' };
      return (sampleValue(metrics, 'shopflow_events_consumed_total', retried) ?? 0) >= 1;
    });
    const { rows } = await service.sql.query('SELECT count(*)::int AS n FROM order_timeline WHERE order_id = $1', [
      orderId,
    ]);
    expect(rows[0].n).toBe(0);
  });
});
