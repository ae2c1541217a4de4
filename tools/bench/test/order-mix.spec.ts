import { OrderMix } from '../src/load/order-mix';
import { finalOf } from '../src/load/order-tracker';

describe('OrderMix', () => {
  it('deals the configured shares, evenly spread, with the token and product each scenario needs', () => {
    const mix = new OrderMix({ declined: 0.1, outOfStock: 0.2 });
    const dealt = Array.from({ length: 100 }, (_, i) => mix.next(i % 7));
    const count = (scenario: string) => dealt.filter((d) => d.scenario === scenario).length;
    // One order has one scenario: when both fall due on the same order, the second waits for the next one.
    expect(count('declined')).toBe(10);
    expect(count('out-of-stock')).toBeGreaterThanOrEqual(19);
    expect(count('confirm')).toBe(100 - count('declined') - count('out-of-stock'));
    // Spread: any 10 consecutive orders hold one declined card.
    expect(dealt.slice(40, 50).filter((d) => d.scenario === 'declined')).toHaveLength(1);
    for (const { scenario, request } of dealt) {
      expect(request.paymentToken).toBe(scenario === 'declined' ? 'tok_declined' : 'tok_ok');
      expect(request.items[0]!.sku === 'BENCH-SOLD-OUT').toBe(scenario === 'out-of-stock');
    }
  });
});

describe('finalOf', () => {
  const order = {
    id: 'o-1',
    reason: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    timeline: [
      { step: 'placed', at: '2026-01-01T00:00:00.010Z' },
      { step: 'inventory-reserved', at: '2026-01-01T00:00:00.050Z' },
      { step: 'payment-succeeded', at: '2026-01-01T00:00:00.090Z' },
      { step: 'confirmed', at: '2026-01-01T00:00:00.095Z' },
      { step: 'notification-sent', at: '2026-01-01T00:00:00.300Z' },
    ],
  };

  it('takes the saga latency from the timeline: placed → the final step, not what came after', () => {
    const final = finalOf({ ...order, status: 'CONFIRMED' })!;
    expect(final.finalAt - final.placedAt).toBe(85);
    expect(final.steps['payment-succeeded']! - final.steps['inventory-reserved']!).toBe(40);
  });

  it('says nothing while the order is PENDING', () => {
    expect(finalOf({ ...order, status: 'PENDING' })).toBeUndefined();
  });
});
