import { chargeKey, onChargeAnswered, onOrderCancelled, onOrderPlaced, refundKey } from './payment-rules';

describe('payment rules', () => {
  it('starts a charge for a new order once', () => {
    expect(onOrderPlaced({ cancelled: false })).toBe('charge');
    expect(onOrderPlaced({ cancelled: false, payment: { status: 'pending' } })).toBe('skip');
    expect(onOrderPlaced({ cancelled: false, payment: { status: 'succeeded' } })).toBe('skip');
    expect(onOrderPlaced({ cancelled: false, payment: { status: 'failed' } })).toBe('skip');
  });

  it('never charges an order whose cancellation arrived first', () => {
    expect(onOrderPlaced({ cancelled: true })).toBe('skip');
  });

  it('refunds a successful charge on cancellation, and only once', () => {
    expect(onOrderCancelled({ cancelled: false, payment: { status: 'succeeded' } })).toBe('refund');
    expect(onOrderCancelled({ cancelled: true, payment: { status: 'refund_pending' } })).toBe('nothing');
    expect(onOrderCancelled({ cancelled: true, payment: { status: 'refunded' } })).toBe('nothing');
  });

  it('remembers a cancellation with nothing to refund yet', () => {
    expect(onOrderCancelled({ cancelled: false })).toBe('remember');
    expect(onOrderCancelled({ cancelled: false, payment: { status: 'failed' } })).toBe('remember');
    expect(onOrderCancelled({ cancelled: false, payment: { status: 'pending' } })).toBe('remember');
  });

  it("records the processor's answer to a pending charge, once", () => {
    expect(onChargeAnswered({ cancelled: false, payment: { status: 'pending' } }, true)).toBe('succeeded');
    expect(onChargeAnswered({ cancelled: false, payment: { status: 'pending' } }, false)).toBe('failed');
    expect(onChargeAnswered({ cancelled: false, payment: { status: 'succeeded' } }, true)).toBeUndefined();
    expect(onChargeAnswered({ cancelled: false }, true)).toBeUndefined();
  });

  it('refunds a charge that went through after the order was cancelled', () => {
    expect(onChargeAnswered({ cancelled: true, payment: { status: 'pending' } }, true)).toBe('refund_pending');
    expect(onChargeAnswered({ cancelled: true, payment: { status: 'pending' } }, false)).toBe('failed');
  });

  it('keys each operation of a payment the same way on every attempt', () => {
    expect(chargeKey('p-1')).toBe(chargeKey('p-1'));
    expect(chargeKey('p-1')).not.toBe(refundKey('p-1'));
  });
});
