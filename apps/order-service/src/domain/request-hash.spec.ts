import { requestHash, type OrderRequest } from './request-hash';

const request: OrderRequest = {
  customerId: 'c-1',
  email: 'ada@example.com',
  items: [
    { sku: 'A', quantity: 2 },
    { sku: 'B', quantity: 1 },
  ],
  paymentToken: 'tok_ok',
};

describe('requestHash', () => {
  it('is the same for the same order asked for differently (key order, item order, split quantities)', () => {
    const same: OrderRequest = {
      paymentToken: 'tok_ok',
      items: [
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 1 },
        { sku: 'A', quantity: 1 },
      ],
      email: 'ada@example.com',
      customerId: 'c-1',
    };
    expect(requestHash(same)).toBe(requestHash(request));
  });

  it.each([
    ['customer', { customerId: 'c-2' }],
    ['email', { email: 'bob@example.com' }],
    ['token', { paymentToken: 'tok_other' }],
    [
      'quantity',
      {
        items: [
          { sku: 'A', quantity: 3 },
          { sku: 'B', quantity: 1 },
        ],
      },
    ],
    ['items', { items: [{ sku: 'A', quantity: 2 }] }],
  ])('differs when the %s differs', (_what, change) => {
    expect(requestHash({ ...request, ...change })).not.toBe(requestHash(request));
  });

  it('cannot be fooled by field values that run into each other', () => {
    expect(requestHash({ ...request, customerId: 'c-1', email: 'x@y.z' })).not.toBe(
      requestHash({ ...request, customerId: 'c-1x', email: '@y.z' }),
    );
  });
});
