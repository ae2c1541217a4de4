import { formatMoney, multiply } from './money';

describe('formatMoney', () => {
  it.each([
    [{ amount: 123456, currency: 'EUR' }, '€1,234.56'],
    [{ amount: 5, currency: 'EUR' }, '€0.05'],
    [{ amount: 0, currency: 'USD' }, '$0.00'],
    [{ amount: 1999, currency: 'GBP' }, '£19.99'],
    [{ amount: 500, currency: 'JPY' }, '¥500'],
    [{ amount: 1234, currency: 'BHD' }, 'BHD 1.234'],
  ])('formats %j from minor units as %s', (money, expected) => {
    expect(formatMoney(money).replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it('is exact where floats are not', () => {
    expect(formatMoney({ amount: 9007199254740991, currency: 'EUR' })).toBe('€90,071,992,547,409.91');
    expect(formatMoney({ amount: 29, currency: 'EUR' })).toBe('€0.29');
  });
});

describe('multiply', () => {
  it('prices a quantity in minor units, keeping the currency', () => {
    expect(multiply({ amount: 1250, currency: 'EUR' }, 3)).toEqual({ amount: 3750, currency: 'EUR' });
  });
});
