import { maySee } from './order-viewer';

describe('maySee', () => {
  it("shows a customer their own orders only, and support anyone's", () => {
    expect(maySee({ customerId: 'ada' }, { customerId: 'ada' })).toBe(true);
    expect(maySee({ customerId: 'ada' }, { customerId: 'bob' })).toBe(false);
    expect(maySee('anyone', { customerId: 'bob' })).toBe(true);
  });
});
