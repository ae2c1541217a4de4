/**
 * Admission control of new orders. Every accepted order is a saga the rest of the system must
 * finish; offered more than it can finish, a service that accepts everything only grows a backlog
 * whose every saga waits longer, and spends on accepting work the CPU that finishing it needs.
 * So `POST /orders` is refused (503 with Retry-After) while the backlog has waited too long inside
 * the system, or while there are too many unfinished sagas (orders still PENDING) at all, and
 * accepted orders keep a bounded latency.
 *
 * The wait is measured on the orders whose stock reservation is unanswered (PENDING, inventory
 * `pending`), not on all PENDING orders. An order stays PENDING until the card processor, outside
 * the system, has answered its payment too, and a slow processor must slow payments only, never the
 * taking of orders. The inventory step, which runs alongside the payment from `order.placed`, is
 * all inside the system: this service's outbox, the broker, inventory-service and this service again,
 * the hops a saturated system lengthens. So its wait is the overload signal, and the payment's is
 * not: orders waiting for the processor only count towards the fixed bound on PENDING orders.
 */

export interface AdmissionBounds {
  /**
   * At this many PENDING orders (whatever step they wait for), new ones are refused. 0: no bound.
   * The backstop: it also holds when the card processor stops answering, which the age does not see.
   */
  maxPendingOrders: number;
  /**
   * Refused once the age of the orders awaiting their stock reservation (see {@link agedOrderRanks})
   * passes this, through the limit it gives (see {@link PendingLimit}). 0: no bound.
   */
  maxPendingAgeMs: number;
  /**
   * The age bound while overload is sustained (see {@link DemandWatch}): under it, taking fewer orders
   * now finishes no more of them, and a queue as long as the bound above only adds its wait to every
   * accepted saga. At most `maxPendingAgeMs`; 0: the same as it.
   */
  overloadPendingAgeMs: number;
  /** The oldest orders awaiting their reservation that the age may leave out as stragglers (see agedOrderRanks). */
  ageStragglers: number;
  /** What a refusal tells the client to wait before trying again (the Retry-After header). */
  retryAfterSeconds: number;
  /** A view measured longer ago than this says nothing any more: orders are admitted. */
  viewExpiresAfterMs: number;
}

/** One measurement of the backlog, taken by a replica's backlog monitor. */
export interface BacklogView {
  /** Orders still PENDING: every unfinished saga, whichever reply it waits for. */
  pendingOrders: number;
  /** Of those, the orders whose stock reservation is unanswered (inventory `pending`). */
  awaitingInventory: number;
  /**
   * How long the backlog of orders awaiting their reservation had waited when measured, its
   * stragglers left out ({@link agedOrderRanks}, {@link bulkAgeMs}); 0 when there is none.
   */
  awaitingInventoryAgeMs: number;
  measuredAt: Date;
}

/**
 * Why an order was refused, as the 503 body and shopflow_orders_refused_total say: `pending_orders`,
 * the fixed bound on PENDING orders; `pending_age`, the limit the age bound gives on the PENDING
 * orders awaiting their reservation (see {@link PendingLimit}).
 */
export type RefusalReason = 'pending_orders' | 'pending_age';

export type Admission =
  | { admitted: true }
  | {
      admitted: false;
      reason: RefusalReason;
      retryAfterSeconds: number;
      pendingOrders: number;
      awaitingInventory: number;
      awaitingInventoryAgeMs: number;
    };

/** Share of the backlog, the oldest, that the age always leaves out. */
const STRAGGLER_SHARE = 0.1;
/** An order this many times as old as the last that may give the age, or older, is a straggler. */
const STRAGGLER_FACTOR = 3;

/**
 * Which of the orders awaiting their stock reservation may give the backlog its age: 0-based ranks
 * from the oldest among `waiting` of them, `first` to `last`; undefined when every one may be a
 * straggler (then the age is 0). {@link bulkAgeMs} picks one from their ages.
 *
 * Not simply the oldest order's: an order stuck on one slow or lost reply (or on a retry's backoff)
 * stays PENDING until its reply comes or its timeout (ORDER_TIMEOUT_MS, 60 s by default) cancels it,
 * so the oldest order's age would refuse all traffic for up to a minute because of one order, and
 * most at low load, where one stuck order is the whole backlog. So the oldest 10% are always left
 * out (`first`), and of the oldest `stragglers` (`last`) those that are stragglers: far older than
 * the backlog's bulk. A few stuck orders never refuse traffic alone, while under overload (a backlog
 * in arrival order, growing) the age is within 10% of the oldest order's.
 *
 * Why not leave the oldest `stragglers` out whatever their ages: at the backlogs overload holds on
 * a small machine (20 to 40 orders) the age would be that of the backlog's middle (the 11th oldest
 * of 25), and the bound would hold the middle's wait, not the tail's (docs/performance.md,
 * "Stragglers are outliers").
 */
export function agedOrderRanks(waiting: number, stragglers: number): { first: number; last: number } | undefined {
  const first = Math.floor(waiting * STRAGGLER_SHARE);
  const last = Math.max(stragglers, first);
  return last < waiting ? { first, last } : undefined;
}

/**
 * The backlog's age from the ages of the orders {@link agedOrderRanks} gives, oldest first: that of
 * the oldest one that is no straggler, i.e. less than STRAGGLER_FACTOR times as old as the last one
 * (which never is: the orders after it are the backlog's bulk). 0 without any.
 */
export function bulkAgeMs(agesMs: readonly number[]): number {
  const reference = agesMs.at(-1) ?? 0;
  return agesMs.find((age) => age < STRAGGLER_FACTOR * reference) ?? reference;
}

/** An order's wait when measured: from when it was placed, never negative. */
export function backlogAgeMs(placedAt: Date, measuredAt: Date): number {
  return Math.max(0, measuredAt.getTime() - placedAt.getTime());
}

/**
 * How many orders awaiting their stock reservation a replica lets the backlog hold: the age bound
 * turned into a count.
 *
 * The age alone lags. A backlog grows the moment arrivals outpace completions, but its age passes
 * the bound only once the orders accepted meanwhile have waited that long, and refusing everything
 * until it falls back, then nothing, swings the backlog (and the accepted orders' wait) around the
 * bound. A count holds at once, and Little's law gives it from the same measurement: the backlog
 * that would have the age of the bound is `waiting × bound ÷ age`. So the limit follows that
 * estimate (as adaptive concurrency limiters do with latency): cut to it when the age is over the
 * bound, by a fifth at most (the age is a tail: a few slow reservations can make it) and at most
 * once per bound (a cut shows in the age only after the orders in flight have waited that long);
 * scaled with the bound at once when the bound itself shortens ({@link rescalePendingLimit});
 * and grown towards it by at most a tenth per measurement while it is what holds the backlog: while it
 * refused orders since the last measurement, or the backlog measured is near it. Where the limit does
 * not bind it does not move: a quiet hour teaches it nothing, and a burst after it finds the limit the
 * last busy period left.
 *
 * Both signs of binding are needed. The limit is held against the orders measured plus those admitted
 * since, and the latter include orders whose reservation has come back meanwhile: when reservations
 * take less than a measurement interval, the limit refuses orders while the backlog measured stays
 * well below it. Judged by the measurement alone it would then never grow again, and a limit cut low
 * once would hold the admitted rate below what the system can finish.
 *
 * Little's law holds population by population, so `waiting` and the age must be of the same orders:
 * both are of the orders awaiting their reservation (BacklogView's `awaitingInventory` and its age),
 * and the limit is on their count. Counting all PENDING orders against it would fold in the orders
 * waiting only for the card processor, whose number grows with the processor's answer time: a slow
 * processor would then shrink the limit as surely as an age of all PENDING orders did.
 */
export interface PendingLimit {
  /** Orders awaiting their stock reservation at which new ones are refused (`pending_age`). */
  orders: number;
  /** When it was last cut (ms since the epoch); cuts are at least one age bound apart. */
  cutAt: number;
}

/** Growth of the limit per measurement while it binds; 1.1 doubles it in about 7 measurements. */
const LIMIT_GROWTH = 1.1;
/** A cut keeps at least this share of the limit: the age of a few slow sagas must not halve it. */
const LIMIT_CUT_AT_MOST = 0.8;
/** The limit binds once the backlog reaches this share of it. */
const LIMIT_BINDS_AT = 0.9;

/**
 * The limit before any measurement: the fixed bound on all PENDING orders (which those awaiting
 * their reservation can never pass, so a limit above it would never bind), or none.
 */
export function initialPendingLimit(bounds: AdmissionBounds): PendingLimit {
  return { orders: bounds.maxPendingOrders > 0 ? bounds.maxPendingOrders : Infinity, cutAt: -Infinity };
}

/**
 * The limit after one more measurement of the backlog; see {@link PendingLimit}. `refused`: whether it
 * refused an order (`pending_age`) since the measurement before.
 */
export function adaptPendingLimit(
  limit: PendingLimit,
  view: BacklogView,
  bounds: AdmissionBounds,
  refused = false,
): PendingLimit {
  const bound = bounds.maxPendingAgeMs;
  if (bound <= 0) return limit;
  // Above the fixed bound the limit could never bind; below the stragglers plus one, the backlog
  // would have no age to tell when to grow it again (see agedOrderRanks).
  const ceiling = bounds.maxPendingOrders > 0 ? bounds.maxPendingOrders : Infinity;
  const floor = bounds.ageStragglers + 1;
  const now = view.measuredAt.getTime();
  const { awaitingInventory: waiting, awaitingInventoryAgeMs: age } = view;
  if (age > bound) {
    if (now - limit.cutAt < bound) return limit;
    const from = Math.min(limit.orders, waiting);
    const estimate = Math.floor((from * bound) / age);
    return { orders: Math.max(floor, estimate, Math.floor(from * LIMIT_CUT_AT_MOST)), cutAt: now };
  }
  if (!refused && waiting < limit.orders * LIMIT_BINDS_AT) return limit;
  const estimate = age > 0 ? Math.floor((waiting * bound) / age) : Infinity;
  const grown = Math.min(Math.ceil(limit.orders * LIMIT_GROWTH), Math.max(limit.orders + 1, estimate));
  return { ...limit, orders: Math.min(ceiling, Math.max(floor, grown)) };
}

/**
 * The limit once the age bound shortens (sustained overload begins, see {@link DemandWatch}), at
 * once: the backlog drains at the same rate, so Little's law scales the count that has the bound's
 * age with the bound. Cut a fifth at a time instead (adaptPendingLimit), the queue the longer bound
 * let build would take several bounds to come down, and every order admitted meanwhile would wait
 * behind it. Counts as a cut (see adaptPendingLimit). A longer bound leaves the limit to grow while it binds.
 */
export function rescalePendingLimit(
  limit: PendingLimit,
  view: BacklogView,
  bounds: AdmissionBounds,
  previousAgeBoundMs: number,
): PendingLimit {
  const bound = bounds.maxPendingAgeMs;
  if (bound <= 0 || previousAgeBoundMs <= 0 || bound >= previousAgeBoundMs) return limit;
  const from = Math.min(limit.orders, view.awaitingInventory);
  const orders = Math.max(bounds.ageStragglers + 1, Math.floor((from * bound) / previousAgeBoundMs));
  return { orders, cutAt: view.measuredAt.getTime() };
}

/**
 * Whether a new order is accepted, from the replica's latest view of the backlog, the orders it has
 * admitted since that view was taken, and its limit. Without a view (none yet, or too old: the
 * database does not answer the monitor), orders are admitted: admission control must not become
 * an outage of its own, and an unreachable database refuses them anyway.
 *
 * An order admitted since the view is both PENDING and awaiting its reservation, so it counts
 * towards the fixed bound on the one (`pending_orders`) and the limit on the other (`pending_age`).
 */
export function decideAdmission(
  view: BacklogView | undefined,
  bounds: AdmissionBounds,
  now: Date,
  limit: PendingLimit = initialPendingLimit(bounds),
  admittedSinceView = 0,
): Admission {
  if (!view || now.getTime() - view.measuredAt.getTime() > bounds.viewExpiresAfterMs) return { admitted: true };
  const refuse = (reason: RefusalReason): Admission => ({
    admitted: false,
    reason,
    retryAfterSeconds: bounds.retryAfterSeconds,
    pendingOrders: view.pendingOrders,
    awaitingInventory: view.awaitingInventory,
    awaitingInventoryAgeMs: view.awaitingInventoryAgeMs,
  });
  const pending = view.pendingOrders + admittedSinceView;
  const waiting = view.awaitingInventory + admittedSinceView;
  if (bounds.maxPendingOrders > 0 && pending >= bounds.maxPendingOrders) return refuse('pending_orders');
  if (bounds.maxPendingAgeMs > 0 && waiting >= limit.orders) return refuse('pending_age');
  return { admitted: true };
}

/**
 * Whether overload is sustained: what a replica was asked for and what it refused, over the last
 * seconds. The age bound is the queue a burst may build, and it lets the backlog grow to its age so
 * that customers at full load, or a burst, are not refused. Under sustained overload there is always
 * more demand than the service finishes, so a shorter queue still keeps it busy: the queue the bound
 * allows then buys little throughput (larger group-commit batches, on a machine with no CPU to spare:
 * docs/performance.md), and wait for every accepted order. So while a large share of the
 * orders offered has been refused for a while, the bound is the shorter `overloadPendingAgeMs` (as
 * servers with a CoDel-style queue use a short timeout while their queue has not drained lately, a
 * long one otherwise).
 *
 * It begins once a third of the orders offered (demand half again what is taken) have been refused
 * for {@link OVERLOAD_AFTER_MS} without a break, so that the refusals of a burst, or of customers
 * arriving at once when a shop opens its doors, are not taken for it; it ends once under a tenth are,
 * so that it does not flap at the edge, or once no order has been offered for a second (without
 * orders the share stands still, and a pause after overload must not keep the shorter bound for the
 * next customers; such a pause is a break too). The shares are of counts that fade with a time
 * constant of {@link DEMAND_WINDOW_MS}, a few seconds: under overload the limit refuses and admits
 * by turns, spells of up to a second or two each (docs/performance.md, "Stragglers are outliers"),
 * and a share over a shorter time swung with them, across the third and back, so that overload was
 * taken as sustained late or never.
 */
export interface DemandWatch {
  /** Orders asked for (admitted or refused), fading; see DEMAND_WINDOW_MS. */
  offered: number;
  /** Of those, the refused ones (either reason), fading alike. */
  refused: number;
  /** When it was last updated (ms since the epoch). */
  at: number;
  /**
   * Since when a third or more have been refused without a break (ms since the epoch); undefined while
   * fewer are, or after a spell without orders (see OVERLOAD_ENDS_QUIET_MS).
   */
  refusingSince?: number;
  /** When it last counted an order offered (ms since the epoch). */
  lastOfferAt?: number;
  sustained: boolean;
}

/** The time constant over which offered and refused orders fade. */
const DEMAND_WINDOW_MS = 3000;
/** Overload begins once this share of the orders offered has been refused... */
const OVERLOAD_FROM_SHARE = 1 / 3;
/** ...for this long... */
const OVERLOAD_AFTER_MS = 3000;
/** ...and ends once the share falls below this, */
const OVERLOAD_UNTIL_SHARE = 0.1;
/** ...or once no order has been offered for this long. */
const OVERLOAD_ENDS_QUIET_MS = 1000;

export const initialDemandWatch = (): DemandWatch => ({ offered: 0, refused: 0, at: -Infinity, sustained: false });

/** The watch after the orders `admitted` and `refused` since its last update, at `now` (ms). */
export function watchDemand(watch: DemandWatch, admitted: number, refused: number, now: number): DemandWatch {
  const kept = Math.exp(-Math.max(0, now - watch.at) / DEMAND_WINDOW_MS);
  const offered = watch.offered * kept + admitted + refused;
  const refusedNow = watch.refused * kept + refused;
  const share = offered > 0 ? refusedNow / offered : 0;
  const lastOfferAt = admitted + refused > 0 ? now : watch.lastOfferAt;
  // No order for a while is no overload, whatever the share: without orders the share stands still.
  // Such a quiet spell is a break in the refusals too, or overload would begin again at once.
  const asked = now - (lastOfferAt ?? -Infinity) < OVERLOAD_ENDS_QUIET_MS;
  const refusingSince = asked && share >= OVERLOAD_FROM_SHARE ? (watch.refusingSince ?? now) : undefined;
  const sustained = watch.sustained
    ? asked && share >= OVERLOAD_UNTIL_SHARE
    : refusingSince !== undefined && now - refusingSince >= OVERLOAD_AFTER_MS;
  return { offered, refused: refusedNow, at: now, refusingSince, lastOfferAt, sustained };
}

/** The bounds that apply now: the age bound is the shorter one while overload is sustained. */
export function boundsNow(bounds: AdmissionBounds, watch: DemandWatch): AdmissionBounds {
  const overload = bounds.overloadPendingAgeMs;
  if (!watch.sustained || overload <= 0 || overload >= bounds.maxPendingAgeMs) return bounds;
  return { ...bounds, maxPendingAgeMs: overload };
}

/** Asked by `POST /orders`: answers from memory, never from the database. */
export interface AdmissionGate {
  /**
   * The decision for a request not read yet, so that a refusal costs as little as it can: a refusal
   * is counted, an admission is not (the request may still be refused for its token or its body).
   */
  screen(): Admission;
  /** The decision for an order about to be placed: an admission is counted against the limit. */
  admit(): Admission;
}
