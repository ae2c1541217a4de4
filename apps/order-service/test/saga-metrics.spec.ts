import { eventually, sampleValue, scrapeMetrics } from '@shopflow/testing';
import { OrderServiceUnderTest, paymentSucceeded, reservationFailed, reserved, type Placed } from './harness';

jest.setTimeout(30_000);

const scrape = (service: OrderServiceUnderTest) => scrapeMetrics(`http://127.0.0.1:${service.replicas[0]!.port}`);

describe('saga duration metric', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await OrderServiceUnderTest.start('order_saga_metrics', { PREFETCH: 1 });
    await service.seedCatalog({ sku: 'TSHIRT-M', price: 1999 });
  });

  afterAll(() => service?.stop());

  const place = (): Promise<Placed> => service.placeOrder();

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
      const consumed = sampleValue(metrics, 'shopflow_events_consumed_total', {
        event_type: 'payment.succeeded',
        outcome: 'handled',
      });
      if (consumed !== 2) throw new Error(`payment.succeeded consumed ${consumed} times so far`);
      return metrics;
    });

    expect(sampleValue(metrics, 'shopflow_saga_duration_seconds_count', { outcome: 'confirmed' })).toBe(1);
    expect(sampleValue(metrics, 'shopflow_saga_duration_seconds_count', { outcome: 'cancelled' })).toBe(1);
    const timeline = final.timeline as { step: string; at: string }[];
    const at = (step: string) => Date.parse(timeline.find((t) => t.step === step)!.at);
    expect(sampleValue(metrics, 'shopflow_saga_duration_seconds_sum', { outcome: 'confirmed' })).toBeCloseTo(
      (at('confirmed') - at('placed')) / 1000,
      3,
    );
  });
});
