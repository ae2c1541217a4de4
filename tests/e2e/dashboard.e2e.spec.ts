import { eventually, parseExposition, seriesNames, type Exposition } from '@shopflow/testing';
// The dashboard's own reader (tests/deployment checks the same files without running anything).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { dashboardFiles, metricReferences, readDashboard } from '../deployment/support/dashboard';
import { Api, customer } from './support/api';
import { SERVICES, System, type ServiceName } from './support/system';

/**
 * The Grafana dashboard (deploy/grafana/dashboards) against the real services: every metric a
 * panel queries must be in some service's GET /metrics, as Prometheus scrapes it in compose.
 */
describe('the Grafana dashboard, against the running services', () => {
  let system: System;
  let api: Api;
  const expositions = new Map<ServiceName, Exposition>();

  const scrape = async (service: ServiceName): Promise<Exposition> => {
    const response = await fetch(`${system.url(service)}/metrics`);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${service} GET /metrics: ${response.status} ${body}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return parseExposition(body);
  };

  beforeAll(async () => {
    system = await System.start();
    api = new Api(system);
    // One saga of each outcome, so the saga, event and HTTP series have samples.
    const product = await api.newProduct(3);
    const confirmed = await api.placeOrder({
      ...customer(),
      items: [{ sku: product.sku, quantity: 1 }],
      paymentToken: 'tok_ok',
    });
    const cancelled = await api.placeOrder({
      ...customer(),
      items: [{ sku: product.sku, quantity: 5 }],
      paymentToken: 'tok_ok',
    });
    expect((await api.finalOrder(confirmed.id)).status).toBe('CONFIRMED');
    expect((await api.finalOrder(cancelled.id)).status).toBe('CANCELLED');
    for (const service of SERVICES) expositions.set(service, await scrape(service));
  }, 180_000);

  afterAll(async () => {
    await system?.close();
  });

  it.each(dashboardFiles())('every metric a panel of %s queries is exposed by some service', (file) => {
    const available = new Map<string, ServiceName[]>();
    for (const [service, exposition] of expositions) {
      for (const name of seriesNames(exposition)) available.set(name, [...(available.get(name) ?? []), service]);
    }
    const references = metricReferences(readDashboard(file));
    expect(references.length).toBeGreaterThan(0);
    for (const { panel, refId, expr, metrics } of references) {
      // A query whose metric this reader cannot find proves nothing: it fails too.
      expect({ panel, refId, expr, recognised: metrics.length > 0 }).toEqual({ panel, refId, expr, recognised: true });
      const missing = metrics.filter((name) => !available.has(name));
      expect({ panel, refId, missing }).toEqual({ panel, refId, missing: [] });
    }
  });

  it('after a confirmed and a cancelled order, the throughput and saga series have samples with the labels the panels filter on', async () => {
    const has = (service: ServiceName, name: string, labels: Record<string, string>) =>
      expositions
        .get(service)!
        .samples.some(
          (s) => s.name === name && s.value > 0 && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
        );
    expect(has('order-service', 'shopflow_events_published_total', { event_type: 'order.placed' })).toBe(true);
    expect(has('order-service', 'shopflow_saga_duration_seconds_count', { outcome: 'confirmed' })).toBe(true);
    expect(has('order-service', 'shopflow_saga_duration_seconds_count', { outcome: 'cancelled' })).toBe(true);
    for (const service of SERVICES) {
      // Every series carries the service label the panels group by; one process per replica.
      const exposition = expositions.get(service)!;
      expect({ service, unlabelled: exposition.samples.filter((s) => s.labels['service'] !== service).length }).toEqual(
        { service, unlabelled: 0 },
      );
      expect(has(service, 'process_start_time_seconds', { service })).toBe(true);
    }
    // The queue gauges are read from the broker at scrape time: each service's queue and dead-letter queue.
    await eventually(async () => {
      const queues = (await scrape('payment-service')).samples
        .filter((s) => s.name === 'shopflow_queue_messages')
        .map((s) => s.labels['queue']);
      return queues.some((q) => q?.endsWith('.dead-letter')) && queues.some((q) => !q?.endsWith('.dead-letter'));
    });
  });
});
