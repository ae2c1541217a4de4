import { createEvent, OrderPlacedV1 } from '@shopflow/events';
import { Writable } from 'node:stream';
import { createLogger, eventLogFields } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  const event = createEvent(
    OrderPlacedV1,
    {
      orderId: '0b6f3f5e-1f5c-4c43-9d8e-0f4f2d7c8a11',
      customerId: 'c-1',
      email: 'ada@example.com',
      items: [{ sku: 'A', quantity: 1, unitPrice: { amount: 100, currency: 'EUR' } }],
      total: { amount: 100, currency: 'EUR' },
      paymentToken: 'tok_ok',
    },
    { source: 'order-service' },
  );

  it('redacts personal data of events logged whole, nested or as payload', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'test', destination });
    logger.info(event, 'top level');
    logger.info({ event }, 'nested');
    logger.info({ payload: event.payload }, 'payload');
    logger.info({ email: 'bob@example.com' }, 'bare');
    const text = JSON.stringify(lines);
    expect(lines).toHaveLength(4);
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('bob@example.com');
    expect(text).toContain('[redacted]');
    expect(text).toContain('c-1');
  });

  it('tags lines with the event id, type and correlation id', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'test', destination }).child(eventLogFields(event)).info('handled');
    expect(lines[0]).toMatchObject({
      service: 'test',
      eventId: event.id,
      eventType: 'order.placed',
      correlationId: event.correlationId,
    });
  });
});
