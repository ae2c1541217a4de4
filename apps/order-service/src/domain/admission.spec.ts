import {
  adaptPendingLimit,
  agedOrderRank,
  backlogAgeMs,
  decideAdmission,
  initialPendingLimit,
  type AdmissionBounds,
  type BacklogView,
  type PendingLimit,
} from './admission';

const now = new Date('2026-12-05T10:00:10.000Z');
const bounds: AdmissionBounds = {
  maxPendingOrders: 100,
  maxPendingAgeMs: 5000,
  ageStragglers: 10,
  retryAfterSeconds: 2,
  viewExpiresAfterMs: 2000,
};
/** A backlog of `pendingOrders`, all of them awaiting their stock reservation unless `awaitingInventory` says fewer. */
const view = (
  pendingOrders: number,
  ageMs = 0,
  measuredMsAgo = 100,
  awaitingInventory = pendingOrders,
): BacklogView => ({
  pendingOrders,
  awaitingInventory,
  awaitingInventoryAgeMs: ageMs,
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
      awaitingInventory: 100,
      awaitingInventoryAgeMs: 1200,
    });
    expect(decideAdmission(view(5000), bounds, now)).toMatchObject({ admitted: false, reason: 'pending_orders' });
  });

  it('refuses, for the age, once the backlog reaches the limit learned from it', () => {
    const limit: PendingLimit = { orders: 20, cutAt: now.getTime() };
    expect(decideAdmission(view(19, 5001), bounds, now, limit)).toEqual({ admitted: true });
    expect(decideAdmission(view(20, 5001), bounds, now, limit)).toEqual({
      admitted: false,
      reason: 'pending_age',
      retryAfterSeconds: 2,
      pendingOrders: 20,
      awaitingInventory: 20,
      awaitingInventoryAgeMs: 5001,
    });
  });

  it('holds the limit against the orders awaiting their reservation, the fixed bound against all PENDING ones', () => {
    const limit: PendingLimit = { orders: 20, cutAt: now.getTime() };
    // 90 PENDING orders, 70 of them waiting only for their payment: under both bounds.
    expect(decideAdmission(view(90, 5001, 100, 19), bounds, now, limit)).toEqual({ admitted: true });
    expect(decideAdmission(view(90, 5001, 100, 20), bounds, now, limit)).toEqual({
      admitted: false,
      reason: 'pending_age',
      retryAfterSeconds: 2,
      pendingOrders: 90,
      awaitingInventory: 20,
      awaitingInventoryAgeMs: 5001,
    });
    // Payments piling up (a processor that stopped answering) reach the fixed bound alone.
    expect(decideAdmission(view(100, 0, 100, 0), bounds, now, limit)).toMatchObject({ reason: 'pending_orders' });
    expect(decideAdmission(view(95, 0, 100, 0), bounds, now, limit, 5)).toMatchObject({ reason: 'pending_orders' });
  });

  it('counts the orders admitted since the view as pending: a burst between two measurements stops at the limit', () => {
    const limit: PendingLimit = { orders: 20, cutAt: now.getTime() };
    expect(decideAdmission(view(15), bounds, now, limit, 4)).toEqual({ admitted: true });
    expect(decideAdmission(view(15), bounds, now, limit, 5)).toMatchObject({
      reason: 'pending_age',
      pendingOrders: 15,
    });
    expect(decideAdmission(view(95), bounds, now, initialPendingLimit(bounds), 5)).toMatchObject({
      reason: 'pending_orders',
    });
  });

  it('has no bound where it is 0', () => {
    const none = { ...bounds, maxPendingOrders: 0, maxPendingAgeMs: 0 };
    expect(decideAdmission(view(1_000_000, 3_600_000), none, now)).toEqual({ admitted: true });
    expect(decideAdmission(view(100, 0), { ...bounds, maxPendingAgeMs: 0 }, now)).toMatchObject({
      reason: 'pending_orders',
    });
    const learned: PendingLimit = { orders: 50, cutAt: 0 };
    expect(decideAdmission(view(1_000_000, 5001), { ...bounds, maxPendingOrders: 0 }, now, learned)).toMatchObject({
      reason: 'pending_age',
    });
    expect(decideAdmission(view(1_000_000, 5001), { ...bounds, maxPendingAgeMs: 0 }, now, learned)).toMatchObject({
      reason: 'pending_orders',
    });
  });

  it('admits without a view, or with one too old to tell (the monitor cannot reach the database)', () => {
    expect(decideAdmission(undefined, bounds, now)).toEqual({ admitted: true });
    expect(decideAdmission(view(5000, 60_000, 2001), bounds, now)).toEqual({ admitted: true });
    expect(decideAdmission(view(5000, 60_000, 2000), bounds, now)).toMatchObject({ admitted: false });
  });
});

describe('adaptPendingLimit', () => {
  const bound = bounds.maxPendingAgeMs;
  /** `awaitingInventory` orders awaiting their reservation, of age `ageMs`, and `awaitingPayment` more PENDING ones. */
  const at = (msAfterNow: number, awaitingInventory: number, ageMs: number, awaitingPayment = 0): BacklogView => ({
    pendingOrders: awaitingInventory + awaitingPayment,
    awaitingInventory,
    awaitingInventoryAgeMs: ageMs,
    measuredAt: new Date(now.getTime() + msAfterNow),
  });
  const fresh = initialPendingLimit(bounds);

  it('starts at the fixed bound, or at none', () => {
    expect(fresh).toEqual({ orders: 100, cutAt: -Infinity });
    expect(initialPendingLimit({ ...bounds, maxPendingOrders: 0 }).orders).toBe(Infinity);
  });

  it("cuts to the backlog that would have the bound's age (Little's law) once the age passes it, by a fifth at most", () => {
    // 80 orders, 10 % over the bound: 80 × 500 / 550 = 72.
    expect(adaptPendingLimit(fresh, at(0, 80, 1.1 * bound), bounds)).toEqual({ orders: 72, cutAt: now.getTime() });
    // Twice the bound would say 40: a few slow sagas can make the age, so 64 (80 less a fifth).
    expect(adaptPendingLimit(fresh, at(0, 80, 2 * bound), bounds)).toEqual({ orders: 64, cutAt: now.getTime() });
    // Never from above the limit it had: the backlog may hold more than it (other replicas' orders).
    expect(adaptPendingLimit({ orders: 60, cutAt: 0 }, at(0, 90, 1.2 * bound), bounds).orders).toBe(50);
  });

  it('counts the orders its age is of, those awaiting their reservation: orders waiting for their payment change nothing', () => {
    // 40 awaiting their reservation, 10 % over the bound, and 50 more waiting for the card processor:
    // 40 × 500 / 550 = 36, as without them (from all 90 it would say 81).
    expect(adaptPendingLimit(fresh, at(0, 40, 1.1 * bound, 50), bounds)).toEqual({ orders: 36, cutAt: now.getTime() });
    // It binds on those 40 alone: 36 of a limit of 40 grows it, 30 plus 50 waiting for payment does not.
    const limit: PendingLimit = { orders: 40, cutAt: 0 };
    expect(adaptPendingLimit(limit, at(0, 36, bound / 2, 50), bounds).orders).toBe(44);
    expect(adaptPendingLimit(limit, at(0, 30, bound / 2, 50), bounds)).toBe(limit);
  });

  it('cuts at most once per age bound: a cut shows in the age only once the orders in flight have waited that long', () => {
    const cut = adaptPendingLimit(fresh, at(0, 80, 2 * bound), bounds);
    expect(adaptPendingLimit(cut, at(bound - 1, 60, 2 * bound), bounds)).toBe(cut);
    expect(adaptPendingLimit(cut, at(bound, 40, 2 * bound), bounds)).toEqual({
      orders: 32,
      cutAt: now.getTime() + bound,
    });
  });

  it('never cuts below what the age can see: one more order than the stragglers', () => {
    expect(adaptPendingLimit(fresh, at(0, 12, 100 * bound), bounds).orders).toBe(11);
  });

  it('grows by at most a tenth per measurement while it holds the backlog, towards the estimate, up to the fixed bound', () => {
    const limit: PendingLimit = { orders: 40, cutAt: 0 };
    expect(adaptPendingLimit(limit, at(0, 40, bound / 2), bounds)).toEqual({ orders: 44, cutAt: 0 });
    expect(adaptPendingLimit(limit, at(0, 36, bound), bounds).orders).toBe(41);
    expect(adaptPendingLimit(limit, at(0, 38, 0), bounds).orders).toBe(44);
    expect(adaptPendingLimit({ orders: 95, cutAt: 0 }, at(0, 95, 10), bounds).orders).toBe(100);
  });

  it('grows while it refuses orders, even with the backlog measured well below it', () => {
    // Reservations faster than the monitor's interval: 3 orders measured, the limit of 11 reached by
    // the orders admitted since. Refusing, it grows (towards 3 × 500 / 50 = 30, a tenth at most).
    const limit: PendingLimit = { orders: 11, cutAt: 0 };
    expect(adaptPendingLimit(limit, at(0, 3, 50), bounds, true)).toEqual({ orders: 13, cutAt: 0 });
    expect(adaptPendingLimit(limit, at(0, 3, 0), bounds, true).orders).toBe(13);
    expect(adaptPendingLimit(limit, at(0, 3, 50), bounds, false)).toBe(limit);
    // Over the bound it is still cut, refusals or not.
    expect(adaptPendingLimit({ orders: 40, cutAt: 0 }, at(0, 40, 2 * bound), bounds, true).orders).toBe(32);
  });

  it('stays where it is while it does not bind: quiet times teach it nothing', () => {
    const limit: PendingLimit = { orders: 40, cutAt: 0 };
    expect(adaptPendingLimit(limit, at(0, 35, 10), bounds)).toBe(limit);
    expect(adaptPendingLimit(limit, at(0, 0, 0), bounds)).toBe(limit);
  });

  it('does not move without an age bound', () => {
    const none = { ...bounds, maxPendingAgeMs: 0 };
    const limit = initialPendingLimit(none);
    expect(adaptPendingLimit(limit, at(0, 5000, 60_000), none)).toBe(limit);
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

describe('backlogAgeMs', () => {
  it('is the wait of the order at that rank when measured, never negative; 0 without one', () => {
    expect(backlogAgeMs(new Date(now.getTime() - 1500), now)).toBe(1500);
    expect(backlogAgeMs(new Date(now.getTime() + 20), now)).toBe(0);
    expect(backlogAgeMs(null, now)).toBe(0);
  });
});
