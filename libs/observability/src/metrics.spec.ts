import { createServiceMetrics } from './metrics';

describe('service metrics', () => {
  it('gives each service its own registry, labelled with the service', async () => {
    const a = createServiceMetrics('a-service', { defaultMetrics: false });
    const b = createServiceMetrics('b-service', { defaultMetrics: false });
    a.eventsPublished.inc({ event_type: 'order.placed' });
    a.eventsPublished.inc({ event_type: 'order.placed' });

    expect(await a.registry.getSingleMetricAsString('shopflow_events_published_total')).toContain(
      'shopflow_events_published_total{event_type="order.placed",service="a-service"} 2',
    );
    const fromB = await b.registry.getSingleMetric('shopflow_events_published_total')!.get();
    expect(fromB.values).toEqual([]);
  });

  it('defines every shopflow metric with its type', async () => {
    const { registry } = createServiceMetrics('x-service', { defaultMetrics: false });
    const types = Object.fromEntries(registry.getMetricsAsArray().map((m) => [m.name, m.type]));
    expect(types).toEqual({
      shopflow_events_published_total: 'counter',
      shopflow_events_consumed_total: 'counter',
      shopflow_event_handler_duration_seconds: 'histogram',
      shopflow_transaction_batch_units: 'histogram',
      shopflow_transaction_batch_duration_seconds: 'histogram',
      shopflow_outbox_backlog: 'gauge',
      shopflow_outbox_oldest_unsent_age_seconds: 'gauge',
      shopflow_http_requests_total: 'counter',
      shopflow_http_request_duration_seconds: 'histogram',
      shopflow_queue_messages: 'gauge',
      shopflow_queue_consumers: 'gauge',
    });
  });

  it('reads the queue gauges from the probe when scraped, and keeps the last values if it fails', async () => {
    const metrics = createServiceMetrics('q-service', { defaultMetrics: false });
    let answer: () => Promise<{ queue: string; messages: number; consumers: number }[]> = async () => [
      { queue: 'q-service.events', messages: 7, consumers: 2 },
    ];
    metrics.watchQueues(() => answer());
    const first = await metrics.registry.metrics();
    expect(first).toContain('shopflow_queue_messages{queue="q-service.events",service="q-service"} 7');
    expect(first).toContain('shopflow_queue_consumers{queue="q-service.events",service="q-service"} 2');

    answer = () => Promise.reject(new Error('broker down'));
    const second = await metrics.registry.metrics();
    expect(second).toContain('shopflow_queue_messages{queue="q-service.events",service="q-service"} 7');
    expect(second).toContain('shopflow_queue_consumers{queue="q-service.events",service="q-service"} 2');
  });

  it('collects default process metrics with the service label', async () => {
    const { registry } = createServiceMetrics('p-service');
    const text = await registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="p-service"\} \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{service="p-service"\} \d/m);
  });
});
