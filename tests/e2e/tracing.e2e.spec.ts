import { createEvent, InventoryReservedV1 } from '@shopflow/events';
import { eventually, startOtlpSink, type OtlpSink, type ReceivedSpan } from '@shopflow/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Api, customer } from './support/api';
import { EventTap } from './support/event-tap';
import { SERVICES, System, type ServiceName } from './support/system';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

/** Every JSON line a service process logged. */
function logLines(system: System, service: ServiceName): Record<string, unknown>[] {
  return system
    .replicas(service)
    .flatMap((replica) => fs.readFileSync(replica.logFile, 'utf8').split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('tracing: one order is one trace across the four services', () => {
  let sink: OtlpSink;
  let system: System;
  let api: Api;
  let tap: EventTap;

  beforeAll(async () => {
    sink = await startOtlpSink();
    const tracing = {
      TRACING_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'debug',
    };
    system = await System.start(Object.fromEntries(SERVICES.map((service) => [service, tracing])));
    api = new Api(system);
    tap = await EventTap.open(system.vhost.url, []);
  }, 180_000);

  afterAll(async () => {
    await tap?.close();
    await system?.close();
    await sink?.close();
  });

  const inTrace = (traceId: string) => sink.spans.filter((span) => span.traceId === traceId);
  const servicesWith = (spans: ReceivedSpan[], kind: number) =>
    [...new Set(spans.filter((span) => span.kind === kind).map((span) => span.service))].sort();

  it('the request, every publish, every consumer and their database work share the trace id', async () => {
    const product = await api.newProduct(5);
    const who = customer();
    const placed = await api.placeOrder({ ...who, items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' });
    expect((await api.finalOrder(placed.id)).status).toBe('CONFIRMED');

    const request = await eventually(() => {
      const span = sink.spans.find(
        (s) => s.kind === SERVER && s.service === 'order-service' && s.attributes['http.route'] === '/orders',
      );
      if (!span) throw new Error('no server span for POST /orders');
      return span;
    });
    const { traceId } = request;
    // The saga's last step: order-service records notification.sent for the confirmation e-mail.
    const spans = await eventually(
      () => {
        const spans = inTrace(traceId);
        const types = spans
          .filter((s) => s.kind === CONSUMER)
          .map((s) => `${s.service} ${s.attributes['shopflow.event.type']}`);
        const expected = [
          'inventory-service order.placed',
          'payment-service order.placed',
          'notification-service order.placed',
          'order-service inventory.reserved',
          'order-service payment.succeeded',
          'inventory-service order.confirmed',
          'notification-service order.confirmed',
          'order-service notification.sent',
        ];
        const missing = expected.filter((t) => !types.includes(t));
        if (missing.length > 0) throw new Error(`consumer spans missing from the trace: ${missing.join(', ')}`);
        return spans;
      },
      { timeoutMs: 20_000 },
    );

    expect(servicesWith(spans, CONSUMER)).toEqual([...SERVICES].sort());
    expect(servicesWith(spans, PRODUCER)).toEqual([...SERVICES].sort());
    const published = spans.filter((s) => s.kind === PRODUCER).map((s) => s.attributes['shopflow.event.type']);
    expect(published).toEqual(
      expect.arrayContaining(['order.placed', 'inventory.reserved', 'payment.succeeded', 'order.confirmed']),
    );
    // Database work (pg) is inside the trace in every service.
    expect(
      [
        ...new Set(
          spans.filter((s) => s.attributes['db.system.name'] ?? s.attributes['db.system']).map((s) => s.service),
        ),
      ].sort(),
    ).toEqual([...SERVICES].sort());
    // Nothing of this order's flow went to another trace.
    const ofOrder = sink.spans.filter((s) => s.attributes['messaging.message.conversation_id'] === placed.id);
    expect(ofOrder.length).toBeGreaterThanOrEqual(12);
    expect(new Set(ofOrder.map((s) => s.traceId))).toEqual(new Set([traceId]));
    // Each consumer span is the child of a producer span of the same trace.
    const producers = new Set(spans.filter((s) => s.kind === PRODUCER).map((s) => s.spanId));
    for (const consumer of spans.filter((s) => s.kind === CONSUMER)) expect(producers).toContain(consumer.parentSpanId);
  });

  it('every log line about the order carries its trace id and correlation id; personal data stays out', async () => {
    const product = await api.newProduct(5);
    const who = customer();
    const placed = await api.placeOrder({ ...who, items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' });
    await api.finalOrder(placed.id);
    const request = await eventually(() => {
      const span = sink.spans.find(
        (s) => s.kind === CONSUMER && s.attributes['messaging.message.conversation_id'] === placed.id,
      );
      if (!span) throw new Error('no consumer span for the order yet');
      return span;
    });

    const lines = await eventually(() => {
      const lines = SERVICES.flatMap((service) => logLines(system, service)).filter(
        (l) => l['correlationId'] === placed.id,
      );
      const services = new Set(lines.map((l) => l['service']));
      if (services.size < 4) throw new Error(`log lines about the order from ${[...services].join(', ')} only`);
      return lines;
    });
    for (const line of lines) {
      expect(line).toMatchObject({ traceId: request.traceId, correlationId: placed.id });
      if (line['component'] === 'consumer') expect(line['eventId']).toEqual(expect.any(String));
    }
    // The request's own line (POST /orders) is among them.
    expect(lines.some((l) => (l['req'] as { url?: string } | undefined)?.url === '/orders')).toBe(true);
    const everything = SERVICES.map((service) => fs.readFileSync(system.replicas(service)[0]!.logFile, 'utf8')).join(
      '',
    );
    expect(everything).not.toContain(who.email);
  });

  it('a retried event stays in the trace of its publisher, attempt after attempt', async () => {
    // A reservation for an order nobody placed: order-service fails it (not_found) and retries with backoff.
    const traceId = randomBytes(16).toString('hex');
    const event = createEvent(
      InventoryReservedV1,
      { orderId: randomUUID(), items: [{ sku: 'MUG-CLASSIC', quantity: 1 }] },
      { source: 'inventory-service', correlationId: randomUUID() },
    );
    await tap.publish('inventory', InventoryReservedV1.routingKey, JSON.stringify(event), {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });

    const attempts = await eventually(
      () => {
        const attempts = sink.spans
          .filter((s) => s.kind === CONSUMER && s.attributes['messaging.message.id'] === event.id)
          .map((s) => ({ traceId: s.traceId, attempt: s.attributes['shopflow.delivery.attempt'] }));
        if (attempts.length < 3) throw new Error(`${attempts.length} attempts so far`);
        return attempts;
      },
      { timeoutMs: 20_000 },
    );
    expect(attempts.map((a) => a.attempt).sort()).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(new Set(attempts.map((a) => a.traceId))).toEqual(new Set([traceId]));
  });
});
