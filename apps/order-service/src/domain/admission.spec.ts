import { agedOrderRank, decideAdmission, pendingAgeMs, type AdmissionBounds, type BacklogView } from './admission';

const now = new Date('2026-12-05T10:00:10.000Z');
const bounds: AdmissionBounds = {
  maxPendingOrders: 100,
  maxPendingAgeMs: 5000,
  ageStragglers: 10,
  retryAfterSeconds: 2,
  viewExpiresAfterMs: 2000,
};
const view = (pendingOrders: number, ageMs = 0, measuredMsAgo = 100): BacklogView => ({
  pendingOrders,
  pendingAgeMs: ageMs,
  measuredAt: new Date(now.getTime() - measuredMsAgo),
});

describe('decideAdmission', () => {
  it('admits while the backlog is below both bounds', () => {
    expect(decideAdmission(view(99, 5000), bounds, now)).toEqual({ admitted: true });
    expect(decideAdmission(view(0), bounds, now)).toEqual({ admitted: true });
  });

  it('refuses once the pending orders reach their bound, saying when to retry and what it saw', () => {
    expect(decideAdmission(view(100, 1200), bounds, now)).toEqual({
      admitted: false,
      reason: 'pending_orders',
      retryAfterSeconds: 2,
      pendingOrders: 100,
      pendingAgeMs: 1200,
    });
    expect(decideAdmission(view(5000), bounds, now)).toMatchObject({ admitted: false, reason: 'pending_orders' });
  });

  it('refuses once the backlog has waited longer than its bound', () => {
    expect(decideAdmission(view(20, 5001), bounds, now)).toEqual({
      admitted: false,
      reason: 'pending_age',
      retryAfterSeconds: 2,
      pendingOrders: 20,
      pendingAgeMs: 5001,
    });
  });

  it('has no bound where it is 0', () => {
    const none = { ...bounds, maxPendingOrders: 0, maxPendingAgeMs: 0 };
    expect(decideAdmission(view(1_000_000, 3_600_000), none, now)).toEqual({ admitted: true });
    expect(decideAdmission(view(100, 0), { ...bounds, maxPendingAgeMs: 0 }, now)).toMatchObject({
      reason: 'pending_orders',
    });
    expect(decideAdmission(view(1_000_000, 5001), { ...bounds, maxPendingOrders: 0 }, now)).toMatchObject({
      reason: 'pending_age',
    });
  });

  it('admits without a view, or with one too old to tell (the monitor cannot reach the database)', () => {
    expect(decideAdmission(undefined, bounds, now)).toEqual({ admitted: true });
    expect(decideAdmission(view(5000, 60_000, 2001), bounds, now)).toEqual({ admitted: true });
    expect(decideAdmission(view(5000, 60_000, 2000), bounds, now)).toMatchObject({ admitted: false });
  });
});

describe('agedOrderRank', () => {
  it('leaves out the stragglers: a few stuck orders alone give the backlog no age', () => {
    expect(agedOrderRank(0, 10)).toBeUndefined();
    expect(agedOrderRank(1, 10)).toBeUndefined();
    expect(agedOrderRank(10, 10)).toBeUndefined();
    expect(agedOrderRank(11, 10)).toBe(10);
    expect(agedOrderRank(99, 10)).toBe(10);
  });

  it('leaves out the oldest 10% of a larger backlog', () => {
    expect(agedOrderRank(200, 10)).toBe(20);
    expect(agedOrderRank(2009, 10)).toBe(200);
  });

  it('is the oldest order with no stragglers', () => {
    expect(agedOrderRank(1, 0)).toBe(0);
    expect(agedOrderRank(9, 0)).toBe(0);
    expect(agedOrderRank(10, 0)).toBe(1);
  });
});

describe('pendingAgeMs', () => {
  it('is the wait of the order at that rank when measured, never negative; 0 without one', () => {
    expect(pendingAgeMs(new Date(now.getTime() - 1500), now)).toBe(1500);
    expect(pendingAgeMs(new Date(now.getTime() + 20), now)).toBe(0);
    expect(pendingAgeMs(null, now)).toBe(0);
  });
});
