import { MAX_AMOUNT, mergeItems, priceItems, type CatalogPrice } from './pricing';

const catalog = (...prices: CatalogPrice[]) => new Map(prices.map((p) => [p.sku, p]));
const shirt = { sku: 'TSHIRT-M', price: 1999, currency: 'EUR' };
const mug = { sku: 'MUG', price: 850, currency: 'EUR' };
const hat = { sku: 'HAT', price: 1500, currency: 'USD' };

describe('mergeItems', () => {
  it('adds up the quantities of a repeated sku, keeping the order in which skus first appear', () => {
    expect(
      mergeItems([
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'B', quantity: 4 },
      { sku: 'A', quantity: 2 },
    ]);
  });
});

describe('priceItems', () => {
  it('prices each line and the total in minor units', () => {
    expect(
      priceItems(
        [
          { sku: 'TSHIRT-M', quantity: 2 },
          { sku: 'MUG', quantity: 1 },
        ],
        catalog(shirt, mug),
      ),
    ).toEqual({
      ok: true,
      lines: [
        {
          sku: 'TSHIRT-M',
          quantity: 2,
          unitPrice: { amount: 1999, currency: 'EUR' },
          lineTotal: { amount: 3998, currency: 'EUR' },
        },
        {
          sku: 'MUG',
          quantity: 1,
          unitPrice: { amount: 850, currency: 'EUR' },
          lineTotal: { amount: 850, currency: 'EUR' },
        },
      ],
      total: { amount: 4848, currency: 'EUR' },
    });
  });

  it('names every unknown sku', () => {
    expect(
      priceItems(
        [
          { sku: 'NOPE', quantity: 1 },
          { sku: 'MUG', quantity: 1 },
          { sku: 'GONE', quantity: 2 },
        ],
        catalog(mug),
      ),
    ).toEqual({ ok: false, problem: 'unknown_skus', skus: ['NOPE', 'GONE'] });
  });

  it('refuses items priced in different currencies', () => {
    expect(
      priceItems(
        [
          { sku: 'MUG', quantity: 1 },
          { sku: 'HAT', quantity: 1 },
        ],
        catalog(mug, hat),
      ),
    ).toEqual({ ok: false, problem: 'mixed_currencies', currencies: ['EUR', 'USD'] });
  });

  it('refuses a total the amounts cannot hold', () => {
    const gold = { sku: 'GOLD', price: 1_000_000_000, currency: 'EUR' };
    expect(priceItems([{ sku: 'GOLD', quantity: 3 }], catalog(gold))).toEqual({
      ok: false,
      problem: 'total_too_large',
      limit: MAX_AMOUNT,
    });
    expect(priceItems([{ sku: 'GOLD', quantity: 2 }], catalog({ ...gold, price: 1_000_000 })).ok).toBe(true);
  });

  it('prices a free item at zero', () => {
    const free = { sku: 'STICKER', price: 0, currency: 'EUR' };
    expect(priceItems([{ sku: 'STICKER', quantity: 3 }], catalog(free))).toMatchObject({
      ok: true,
      total: { amount: 0, currency: 'EUR' },
    });
  });
});
