import { asPlaced, newOrder } from './order';

const createdAt = new Date('2026-03-04T05:06:07.089Z');
const placed = newOrder({
  id: '0b6f3f5e-1f5c-4c43-9d8e-0f4f2d7c8a11',
  customerId: 'c-1',
  email: 'ada@example.com',
  lines: [
    {
      sku: 'MUG',
      quantity: 2,
      unitPrice: { amount: 850, currency: 'EUR' },
      lineTotal: { amount: 1700, currency: 'EUR' },
    },
  ],
  total: { amount: 1700, currency: 'EUR' },
  createdAt,
});

describe('order', () => {
  it('is placed PENDING with the placed step on its timeline', () => {
    expect(placed.state).toEqual({ status: 'PENDING', inventory: 'pending', payment: 'pending', reason: null });
    expect(placed.timeline).toEqual([{ step: 'placed', at: createdAt, detail: null }]);
  });

  it('is shown to an idempotent replay as it was when placed, whatever happened since', () => {
    const cancelled = {
      ...placed,
      state: { status: 'CANCELLED', inventory: 'failed', payment: 'pending', reason: 'out_of_stock' } as const,
      timeline: [
        ...placed.timeline,
        { step: 'inventory-reservation-failed', at: new Date(), detail: 'out_of_stock' } as const,
        { step: 'cancelled', at: new Date(), detail: 'out_of_stock' } as const,
      ],
    };
    expect(asPlaced(cancelled)).toEqual(placed);
  });
});
