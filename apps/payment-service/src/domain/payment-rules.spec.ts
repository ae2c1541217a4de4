import { cardVerdict } from './card-verdict';
import { onOrderCancelled, onOrderPlaced } from './payment-rules';

describe('payment rules', () => {
  it('charges a new order once', () => {
    expect(onOrderPlaced({ cancelled: false })).toBe('charge');
    expect(onOrderPlaced({ cancelled: false, payment: { status: 'succeeded' } })).toBe('skip');
    expect(onOrderPlaced({ cancelled: false, payment: { status: 'failed' } })).toBe('skip');
  });

  it('never charges an order whose cancellation arrived first', () => {
    expect(onOrderPlaced({ cancelled: true })).toBe('skip');
  });

  it('refunds a successful charge on cancellation, and only once', () => {
    expect(onOrderCancelled({ cancelled: false, payment: { status: 'succeeded' } })).toBe('refund');
    expect(onOrderCancelled({ cancelled: true, payment: { status: 'refunded' } })).toBe('nothing');
  });

  it('remembers a cancellation with nothing to refund', () => {
    expect(onOrderCancelled({ cancelled: false })).toBe('remember');
    expect(onOrderCancelled({ cancelled: false, payment: { status: 'failed' } })).toBe('remember');
  });
});

describe('card verdict of the simulated gateway', () => {
  it.each([
    ['tok_ok', 'approved'],
    ['tok_declined', 'declined'],
    ['tok_insufficient_funds', 'insufficient_funds'],
    ['tok_anything_else', 'declined'],
    ['toString', 'declined'],
  ])('%s → %s', (token, verdict) => {
    expect(cardVerdict(token)).toBe(verdict);
  });
});
