import {
  adaptPendingLimit,
  agedOrderRanks,
  backlogAgeMs,
  bulkAgeMs,
  boundsNow,
  decideAdmission,
  initialDemandWatch,
  initialPendingLimit,
  rescalePendingLimit,
  watchDemand,
  type AdmissionBounds,
  type BacklogView,
  type DemandWatch,
  type PendingLimit,
} from './admission';

const now = new Date('2026-12-05T10:00:10.000Z');
const bounds: AdmissionBounds = {
  maxPendingOrders: 100,
  maxPendingAgeMs: 5000,
  overloadPendingAgeMs: 2000,
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

describe('rescalePendingLimit', () => {
  /** The bounds under sustained overload: the age bound 2,000 ms instead of 5,000. */
  const overload = boundsNow(bounds, { ...initialDemandWatch(), sustained: true });
  const backlog = (awaitingInventory: number): BacklogView => view(awaitingInventory, 6000, 0);

  it("scales the limit with the bound at once when sustained overload shortens it (Little's law), as a cut", () => {
    expect(overload.maxPendingAgeMs).toBe(2000);
    expect(rescalePendingLimit({ orders: 80, cutAt: 0 }, backlog(90), overload, 5000)).toEqual({
      orders: 32,
      cutAt: now.getTime(),
    });
    // From the backlog when it is under the limit; never below what the age can see.
    expect(rescalePendingLimit({ orders: 80, cutAt: 0 }, backlog(50), overload, 5000).orders).toBe(20);
    expect(rescalePendingLimit({ orders: 80, cutAt: 0 }, backlog(20), overload, 5000).orders).toBe(11);
  });

  it('leaves the limit alone when the bound stays, grows or is none', () => {
    const limit = { orders: 80, cutAt: 0 };
    expect(rescalePendingLimit(limit, backlog(90), overload, 2000)).toBe(limit);
    expect(rescalePendingLimit(limit, backlog(90), bounds, 2000)).toBe(limit);
    expect(rescalePendingLimit(limit, backlog(90), { ...bounds, maxPendingAgeMs: 0 }, 5000)).toBe(limit);
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

describe('agedOrderRanks', () => {
  it('may leave out the stragglers: a few stuck orders alone give the backlog no age', () => {
    expect(agedOrderRanks(0, 10)).toBeUndefined();
    expect(agedOrderRanks(1, 10)).toBeUndefined();
    expect(agedOrderRanks(10, 10)).toBeUndefined();
    expect(agedOrderRanks(11, 10)).toEqual({ first: 1, last: 10 });
    expect(agedOrderRanks(25, 10)).toEqual({ first: 2, last: 10 });
    expect(agedOrderRanks(99, 10)).toEqual({ first: 9, last: 10 });
  });

  it('always leaves out the oldest 10% of a larger backlog', () => {
    expect(agedOrderRanks(200, 10)).toEqual({ first: 20, last: 20 });
    expect(agedOrderRanks(2009, 10)).toEqual({ first: 200, last: 200 });
  });

  it('is the oldest order with no stragglers', () => {
    expect(agedOrderRanks(1, 0)).toEqual({ first: 0, last: 0 });
    expect(agedOrderRanks(9, 0)).toEqual({ first: 0, last: 0 });
    expect(agedOrderRanks(10, 0)).toEqual({ first: 1, last: 1 });
  });
});

describe('bulkAgeMs', () => {
  it("is the oldest order's age in a backlog in arrival order: none of them is a straggler", () => {
    // 25 orders awaiting their reservation, one placed every 10 ms: ranks 2 to 10 of them.
    const ages = [230, 220, 210, 200, 190, 180, 170, 160, 150];
    expect(bulkAgeMs(ages)).toBe(230);
  });

  it('leaves out the orders stuck far behind the bulk, and only those', () => {
    expect(bulkAgeMs([60_000, 31_000, 2_100, 330, 150, 120])).toBe(330);
    expect(bulkAgeMs([60_000, 31_000, 2_100, 360, 150, 120])).toBe(150);
  });

  it('is the last one when the others are all stragglers, and 0 without any', () => {
    expect(bulkAgeMs([60_000, 40])).toBe(40);
    expect(bulkAgeMs([75])).toBe(75);
    expect(bulkAgeMs([])).toBe(0);
  });
});

describe('backlogAgeMs', () => {
  it('is the wait of the order when measured, never negative', () => {
    expect(backlogAgeMs(new Date(now.getTime() - 1500), now)).toBe(1500);
    expect(backlogAgeMs(new Date(now.getTime() + 20), now)).toBe(0);
  });
});

describe('watchDemand', () => {
  /** The watch after measurements 100 ms apart, each with `admitted` and `refused` orders since the one before. */
  const measure = (watch: DemandWatch, times: number, admitted: number, refused: number) => {
    for (let i = 0; i < times; i++) watch = watchDemand(watch, admitted, refused, (watch.at > 0 ? watch.at : 0) + 100);
    return watch;
  };

  it('says overload is sustained once a third of the orders offered have been refused for three seconds', () => {
    // Twice the capacity offered: half refused.
    expect(measure(initialDemandWatch(), 30, 15, 15).sustained).toBe(false);
    expect(measure(initialDemandWatch(), 31, 15, 15).sustained).toBe(true);
    expect(measure(initialDemandWatch(), 40, 30, 16).sustained).toBe(true);
    expect(measure(initialDemandWatch(), 40, 30, 14).sustained).toBe(false);
  });

  it('does not take the refusals at the top of a burst for overload', () => {
    // A second of 300 orders/s taken, then 200 refused at once among 30 taken: over a third refused.
    const busy = measure(initialDemandWatch(), 10, 30, 0);
    const burst = measure(busy, 1, 30, 200);
    expect(burst.refusingSince).toBeDefined();
    // The burst over, the share falls under a third within a second, long before three.
    expect(measure(burst, 10, 30, 0).refusingSince).toBeUndefined();
    expect(measure(burst, 40, 30, 0).sustained).toBe(false);
    // The same refusals at every measurement are overload.
    expect(measure(burst, 30, 30, 200).sustained).toBe(true);
  });

  it('takes a limit that refuses and admits by turns for overload, when it refuses a third of the orders in all', () => {
    // 300 orders/s offered: all refused for a second, then all 250 a second taken for 1.2 s, and again.
    const swing = (watch: DemandWatch, cycles: number) => {
      for (let i = 0; i < cycles; i++) watch = measure(measure(watch, 10, 0, 30), 12, 25, 0);
      return watch;
    };
    expect(swing(initialDemandWatch(), 2).sustained).toBe(true);
    // Taking most of them, refusing now and then, is not overload.
    let mild = initialDemandWatch();
    for (let i = 0; i < 5; i++) mild = measure(measure(mild, 6, 5, 25), 14, 28, 0);
    expect(mild.sustained).toBe(false);
  });

  it('says it is over once under a tenth are refused, not before: no flapping at the edge', () => {
    const overloaded = measure(initialDemandWatch(), 40, 15, 15);
    // A fifth refused: not enough to begin, not little enough to end.
    expect(measure(overloaded, 100, 24, 6).sustained).toBe(true);
    expect(measure(initialDemandWatch(), 100, 24, 6).sustained).toBe(false);
    // A few refused still, under a tenth: over once the refusals of the last seconds have faded.
    expect(measure(overloaded, 30, 30, 2).sustained).toBe(true);
    expect(measure(overloaded, 80, 30, 2).sustained).toBe(false);
  });

  it('says it is over once no order has been offered for a second', () => {
    const overloaded = measure(initialDemandWatch(), 40, 15, 15);
    expect(watchDemand(overloaded, 0, 0, overloaded.at + 900).sustained).toBe(true);
    expect(watchDemand(overloaded, 0, 0, overloaded.at + 1000).sustained).toBe(false);
    // A second of orders all taken is the limit's swing, not the end of overload.
    expect(measure(overloaded, 10, 15, 0).sustained).toBe(true);
  });

  it('takes a second without orders for a break: no flapping while no order comes', () => {
    // Refusing for seconds, then no order at all (a stall upstream): the share stands still at half.
    let watch = measure(initialDemandWatch(), 40, 15, 15);
    const states: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      watch = measure(watch, 1, 0, 0);
      states.push(watch.sustained);
    }
    // Over once the quiet second passed, and not back while nothing is refused.
    expect(states.slice(10)).toEqual(Array(10).fill(false));
    // Refusals again: overload begins only after three more seconds of them.
    expect(measure(watch, 29, 15, 15).sustained).toBe(false);
    expect(measure(watch, 31, 15, 15).sustained).toBe(true);
  });

  it('forgets with time: a second of overload weighs little half a minute later', () => {
    const overloaded = measure(initialDemandWatch(), 20, 0, 30);
    const later = watchDemand(overloaded, 0, 0, overloaded.at + 30_000);
    expect(later.offered).toBeLessThan(overloaded.offered / 1000);
    expect(watchDemand(later, 20, 0, later.at + 100).sustained).toBe(false);
  });
});

describe('boundsNow', () => {
  const overloaded: DemandWatch = { ...initialDemandWatch(), sustained: true };

  it('holds the backlog to the shorter age bound while overload is sustained, to the age bound otherwise', () => {
    expect(boundsNow(bounds, overloaded)).toEqual({ ...bounds, maxPendingAgeMs: 2000 });
    expect(boundsNow(bounds, initialDemandWatch())).toBe(bounds);
  });

  it('only ever shortens the bound, and adds none where there is none', () => {
    expect(boundsNow({ ...bounds, overloadPendingAgeMs: 0 }, overloaded)).toEqual({
      ...bounds,
      overloadPendingAgeMs: 0,
    });
    expect(boundsNow({ ...bounds, overloadPendingAgeMs: 9000 }, overloaded).maxPendingAgeMs).toBe(5000);
    expect(boundsNow({ ...bounds, maxPendingAgeMs: 0 }, overloaded).maxPendingAgeMs).toBe(0);
  });
});
