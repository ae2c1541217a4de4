import { reportEntry } from './timeline';

describe('reportEntry', () => {
  const at = new Date('2026-01-02T03:04:05.678Z');

  it('names the step after the report and keeps a failure reason as detail', () => {
    expect(reportEntry({ kind: 'inventory-reserved' }, at)).toEqual({ step: 'inventory-reserved', at, detail: null });
    expect(reportEntry({ kind: 'payment-failed', reason: 'declined' }, at)).toEqual({
      step: 'payment-failed',
      at,
      detail: 'declined',
    });
    expect(reportEntry({ kind: 'inventory-reservation-failed', reason: 'out_of_stock' }, at).detail).toBe(
      'out_of_stock',
    );
  });
});
