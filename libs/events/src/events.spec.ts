import {
  ALL_EVENTS,
  createEvent,
  InventoryReservationFailedV1,
  NotificationSentV1,
  OrderPlacedV1,
  parseEvent,
  PaymentSucceededV1,
  PERSONAL_DATA_PATHS,
} from './index';

const placed = {
  orderId: '0b6f3f5e-1f5c-4c43-9d8e-0f4f2d7c8a11',
  customerId: 'c-1',
  email: 'ada@example.com',
  items: [
    {
      sku: 'TSHIRT-M',
      quantity: 2,
      unitPrice: { amount: 1999, currency: 'EUR' },
    },
  ],
  total: { amount: 3998, currency: 'EUR' },
  paymentToken: 'tok_ok',
};

describe('event contracts', () => {
  it('routes each event to its context exchange with a versioned routing key', () => {
    expect(OrderPlacedV1).toMatchObject({
      exchange: 'orders',
      routingKey: 'order.placed.v1',
    });
    expect(InventoryReservationFailedV1).toMatchObject({
      exchange: 'inventory',
      routingKey: 'inventory.reservation-failed.v1',
    });
    expect(PaymentSucceededV1).toMatchObject({
      exchange: 'payments',
      routingKey: 'payment.succeeded.v1',
    });
    expect(NotificationSentV1.exchange).toBe('notifications');
    expect(new Set(ALL_EVENTS.map((d) => d.routingKey)).size).toBe(ALL_EVENTS.length);
  });

  it('derives personal-data paths from the fields marked personal', () => {
    expect(OrderPlacedV1.personalDataPaths).toEqual(['payload.email']);
    expect(NotificationSentV1.personalDataPaths).toEqual(['payload.recipient']);
    expect(PaymentSucceededV1.personalDataPaths).toEqual([]);
    expect(PERSONAL_DATA_PATHS).toEqual(expect.arrayContaining(['payload.email', 'payload.recipient']));
  });

  it('creates an event that parses back to the same value', () => {
    const event = createEvent(OrderPlacedV1, placed, {
      source: 'order-service',
    });
    expect(event).toMatchObject({
      type: 'order.placed',
      version: 1,
      source: 'order-service',
      payload: placed,
    });
    expect(event.correlationId).toBe(event.id);
    const parsed = parseEvent(JSON.stringify(event));
    expect(parsed).toEqual({ ok: true, event });
    expect(Object.isFrozen(event)).toBe(true);
  });

  it('gives events time-ordered ids (UUIDv7), so the inbox and outbox indexes grow at one end', () => {
    const before = Date.now();
    const event = createEvent(OrderPlacedV1, placed, { source: 'order-service' });
    const millis = parseInt(event.id.replace(/-/g, '').slice(0, 12), 16);
    expect(event.id[14]).toBe('7');
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(Date.now());
  });

  it('carries the correlation id and takes the cause id as causation id', () => {
    const cause = createEvent(OrderPlacedV1, placed, {
      source: 'order-service',
      correlationId: 'req-42',
    });
    const effect = createEvent(
      PaymentSucceededV1,
      {
        orderId: placed.orderId,
        paymentId: '9a1f5a4c-64b1-4c59-8b5e-9a2b0f3d1e22',
        amount: placed.total,
      },
      { source: 'payment-service', causedBy: cause },
    );
    expect(cause.correlationId).toBe('req-42');
    expect(effect.correlationId).toBe('req-42');
    expect(effect.causationId).toBe(cause.id);
  });

  it('refuses to create an invalid event', () => {
    expect(() => createEvent(OrderPlacedV1, { ...placed, items: [] }, { source: 'x' })).toThrow(
      /invalid order.placed v1/,
    );
  });

  it('refuses a card number where a payment token belongs', () => {
    const event = { ...createEvent(OrderPlacedV1, placed, { source: 'x' }) };
    const result = parseEvent(
      JSON.stringify({
        ...event,
        payload: { ...placed, paymentToken: '4111111111111111' },
      }),
    );
    expect(result.ok).toBe(false);
  });

  it.each([
    ['malformed JSON', '{"id": ', /malformed JSON/],
    ['a non-object', '42', /invalid envelope/],
    [
      'a missing envelope field',
      JSON.stringify({ type: 'order.placed', version: 1, payload: placed }),
      /invalid envelope/,
    ],
    [
      'an unknown type',
      JSON.stringify({
        ...createEvent(OrderPlacedV1, placed, { source: 'x' }),
        type: 'order.shipped',
      }),
      /unknown event order.shipped v1/,
    ],
    [
      'an unknown version',
      JSON.stringify({
        ...createEvent(OrderPlacedV1, placed, { source: 'x' }),
        version: 9,
      }),
      /unknown event order.placed v9/,
    ],
    [
      'an invalid payload',
      JSON.stringify({
        ...createEvent(OrderPlacedV1, placed, { source: 'x' }),
        payload: { ...placed, total: { amount: 1.5, currency: 'EUR' } },
      }),
      /invalid order.placed v1 payload/,
    ],
  ])('rejects %s with a clear reason', (_case, raw, reason) => {
    const result = parseEvent(Buffer.from(raw));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe('invalid_message');
      expect(result.error.message).toMatch(reason);
    }
  });

  it('accepts only the definitions it is given', () => {
    const event = createEvent(OrderPlacedV1, placed, { source: 'x' });
    expect(parseEvent(JSON.stringify(event), [PaymentSucceededV1]).ok).toBe(false);
    expect(parseEvent(JSON.stringify(event), [OrderPlacedV1]).ok).toBe(true);
  });

  it('ignores fields added by a newer producer of the same major version', () => {
    const event = createEvent(OrderPlacedV1, placed, { source: 'x' });
    const result = parseEvent(
      JSON.stringify({
        ...event,
        extra: 1,
        payload: { ...placed, giftWrap: true },
      }),
    );
    expect(result).toEqual({ ok: true, event });
  });
});
