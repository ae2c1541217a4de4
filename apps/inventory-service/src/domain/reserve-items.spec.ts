import { reserveItems } from './reserve-items';

const products = [
  { sku: 'A', stock: 10, reserved: 4 },
  { sku: 'B', stock: 3, reserved: 0 },
];

describe('reserveItems', () => {
  it('reserves every line when all are available, one line per sku in sku order', () => {
    expect(
      reserveItems(products, [
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 2 },
      ]),
    ).toEqual({
      outcome: 'reserved',
      items: [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ],
    });
  });

  it('counts only what is not reserved yet as available', () => {
    expect(reserveItems(products, [{ sku: 'A', quantity: 6 }]).outcome).toBe('reserved');
    expect(reserveItems(products, [{ sku: 'A', quantity: 7 }])).toEqual({
      outcome: 'rejected',
      reason: 'out_of_stock',
      items: [{ sku: 'A', requested: 7, available: 6 }],
    });
  });

  it('reserves nothing when one line is short, and lists only the short lines', () => {
    expect(
      reserveItems(products, [
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 4 },
      ]),
    ).toEqual({ outcome: 'rejected', reason: 'out_of_stock', items: [{ sku: 'B', requested: 4, available: 3 }] });
  });

  it('adds up repeated lines of a sku before comparing with what is available', () => {
    expect(
      reserveItems(products, [
        { sku: 'B', quantity: 2 },
        { sku: 'B', quantity: 2 },
      ]),
    ).toEqual({ outcome: 'rejected', reason: 'out_of_stock', items: [{ sku: 'B', requested: 4, available: 3 }] });
  });

  it('reports unknown items, with nothing available, before any shortage', () => {
    expect(
      reserveItems(products, [
        { sku: 'B', quantity: 99 },
        { sku: 'NOPE', quantity: 2 },
      ]),
    ).toEqual({ outcome: 'rejected', reason: 'unknown_item', items: [{ sku: 'NOPE', requested: 2, available: 0 }] });
  });
});
