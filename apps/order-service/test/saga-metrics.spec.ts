import { eventually } from '@shopflow/testing';
import {
  OrderServiceUnderTest,
  orderRequest,
  paymentSucceeded,
  reservationFailed,
  reserved,
  type Placed,
} from './harness';

jest.setTimeout(30_000);

/** Labels sorted by name, so a series has one spelling whatever order prom-client prints them in. */
const canonical = (series: string) =>
  series.replace(/\{(.*)\}$/, (_all, labels: string) => `{${labels.split(',').sort().join(',')}}`);

/** `name{labels} value` lines of a Prometheus text exposition, as a lookup by `name{labels}` (labels sorted). */
async function scrape(service: OrderServiceUnderTest): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${service.replicas[0]!.port}/metrics`);
  expect(response.status).toBe(200);
  const lines = (await response.text()).split('\n').filter((line) => line && !line.startsWith('#'));
  return new Map(
    lines.map((line) => [
      canonical(line.slice(0, line.lastIndexOf(' '))),
      Number(line.slice(line.lastIndexOf(' ') + 1)),
    ]),
  );
}

const series = (name: string, outcome: string) => `${name}{outcome="${outcome}",service="order-service"}`;

describe('saga duration metric', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await OrderServiceUnderTest.start('order_saga_metrics', { PREFETCH: 1 });
    await service.seedCatalog({ sku: 'TSHIRT-M', price: 1999 });
  });

  afterAll(() => service?.stop());

  async function place(): Promise<Placed> {
    const res = await service.request('POST', '/orders', orderRequest());
    expect(res.status).toBe(201);
    return service.placedEvent(res.body.id);
  }

  it('observes each finished saga once, placed → final, by outcome; duplicates and undecided steps add nothing', async () => {
    const confirmed = await place();
    const success = paymentSucceeded(confirmed);
    // The duplicate delivery of the deciding event must not count the saga twice.
    await service.publish(reserved(confirmed), success, success);
    const cancelled = await place();
    await service.publish(reservationFailed(cancelled, 'out_of_stock'));
    const undecided = await place();
    await service.publish(reserved(undecided));

    const final = await service.orderWhen(confirmed.payload.orderId, (o) => o.status === 'CONFIRMED', 'confirmed');
    await service.orderWhen(cancelled.payload.orderId, (o) => o.status === 'CANCELLED', 'cancelled');
    await service.orderWhen(undecided.payload.orderId, (o) => o.timeline.length === 2, 'reserved');
    const metrics = await eventually(async () => {
      const metrics = await scrape(service);
      // The duplicate is the last message of the three: once it is consumed, everything before it was counted.
      const consumed = metrics.get(
        'shopflow_events_consumed_total{event_type="payment.succeeded",outcome="handled",service="order-service"}',
      );
      if (consumed !== 2) throw new Error(`payment.succeeded consumed ${consumed} times so far`);
      return metrics;
    });

    expect(metrics.get(series('shopflow_saga_duration_seconds_count', 'confirmed'))).toBe(1);
    expect(metrics.get(series('shopflow_saga_duration_seconds_count', 'cancelled'))).toBe(1);
    const timeline = final.timeline as { step: string; at: string }[];
    const at = (step: string) => Date.parse(timeline.find((t) => t.step === step)!.at);
    expect(metrics.get(series('shopflow_saga_duration_seconds_sum', 'confirmed'))).toBeCloseTo(
      (at('confirmed') - at('placed')) / 1000,
      3,
    );
  });
});
