import { type PeriodicJob } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import { type SqlClient } from '@shopflow/postgres';
import { awaitingInventoryPlacedAt, countBacklog } from '../data-access/orders.repository';
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
  type Admission,
  type AdmissionBounds,
  type AdmissionGate,
  type BacklogView,
  type DemandWatch,
  type PendingLimit,
} from '../domain/admission';
import { type AdmissionMetrics } from '../metrics/admission-metrics';

export interface BacklogMonitorOptions {
  /**
   * The monitor's own connection, closed when it stops. Not the service's pool: under overload,
   * when the view matters most, that pool is busy and a measurement would queue behind the work.
   */
  db: SqlClient & { close(): Promise<void> };
  intervalMs: number;
  bounds: AdmissionBounds;
  logger: Logger;
  metrics: AdmissionMetrics;
}

/**
 * Admission control's eyes: every interval, measures the backlog of unfinished sagas (two
 * statements reading indexes, whatever the request rate: how many orders are PENDING and how many
 * of them await their stock reservation, then the age of the latter, its stragglers left out),
 * adapts its limit to it (see PendingLimit), and keeps both in memory for `POST /orders` to decide
 * on without a query per request, counting the orders it admits until the next measurement. Every
 * replica runs one and decides for itself from the same table: the others' admissions since the
 * last measurement it sees only at the next one, so the backlog can overshoot by what they admit in
 * one interval, and the age brings every limit back. It also watches the share of orders it
 * refuses, and holds the backlog to the shorter age bound while that share says overload is
 * sustained (see DemandWatch).
 */
export class BacklogMonitor implements PeriodicJob, AdmissionGate {
  readonly name = 'backlog monitor';
  readonly intervalMs: number;
  /** The first view is there within a round trip of start-up. */
  readonly runAtStart = true;
  private readonly logger: Logger;
  private view?: BacklogView;
  private limit: PendingLimit;
  /** Orders admitted since the measurement in progress or the last one began. */
  private admittedSinceView = 0;
  /** Orders the limit refused since then: it binds, and may grow (see adaptPendingLimit). */
  private refusedForAge = 0;
  /** Orders refused since then, for either reason: the demand it could not take. */
  private refused = 0;
  private demand: DemandWatch = initialDemandWatch();
  /** The bounds that apply until the next measurement: the age bound is shorter under sustained overload. */
  private bounds: AdmissionBounds;
  private refusing = false;

  constructor(private readonly options: BacklogMonitorOptions) {
    this.logger = options.logger.child({ component: 'backlog-monitor' });
    this.intervalMs = options.intervalMs;
    this.limit = initialPendingLimit(options.bounds);
    this.bounds = options.bounds;
  }

  close(): Promise<void> {
    return this.options.db.close();
  }

  screen(now = new Date()): Admission {
    const admission = decideAdmission(this.view, this.bounds, now, this.limit, this.admittedSinceView);
    if (!admission.admitted) {
      this.refused++;
      if (admission.reason === 'pending_age') this.refusedForAge++;
      this.options.metrics.refused(admission.reason);
    }
    return admission;
  }

  admit(now = new Date()): Admission {
    const admission = this.screen(now);
    if (admission.admitted) this.admittedSinceView++;
    return admission;
  }

  /**
   * Measures once. While it cannot (JobSchedule logs the outage), the view ages until it expires
   * (`viewExpiresAfterMs`), and orders are then admitted without it.
   */
  async run(): Promise<void> {
    const { db } = this.options;
    // Counted from before the count: an order admitted while it runs may be in it and counted twice,
    // which errs on refusing, never on overshooting.
    const admittedBefore = this.admittedSinceView;
    const refusedForAgeBefore = this.refusedForAge;
    const refusedBefore = this.refused;
    const { pending: pendingOrders, awaitingInventory } = await countBacklog(db);
    const ranks = agedOrderRanks(awaitingInventory, this.options.bounds.ageStragglers);
    const placedAt = ranks ? await awaitingInventoryPlacedAt(db, ranks.first, ranks.last) : [];
    const measuredAt = new Date();
    const view = {
      pendingOrders,
      awaitingInventory,
      awaitingInventoryAgeMs: bulkAgeMs(placedAt.map((at) => backlogAgeMs(at, measuredAt))),
      measuredAt,
    };
    this.view = view;
    this.admittedSinceView -= admittedBefore;
    this.refusedForAge -= refusedForAgeBefore;
    this.refused -= refusedBefore;
    this.watchDemand(admittedBefore, refusedBefore, view);
    const bounds = this.bounds;
    this.limit = adaptPendingLimit(this.limit, view, bounds, refusedForAgeBefore > 0);
    this.options.metrics.measured(view, this.limit, bounds.maxPendingAgeMs);
    // Logged when it starts and when it ends; each refusal is counted (shopflow_orders_refused_total).
    const verdict = decideAdmission(view, bounds, measuredAt, this.limit);
    if (verdict.admitted === this.refusing) {
      this.refusing = !verdict.admitted;
      const backlog = { pendingOrders, awaitingInventory, awaitingInventoryAgeMs: view.awaitingInventoryAgeMs };
      if (verdict.admitted) this.logger.info(backlog, 'backlog back within its bounds: new orders accepted again');
      else this.logger.warn({ ...backlog, reason: verdict.reason }, 'backlog over its bound: new orders refused');
    }
  }

  /**
   * Updates the share of orders refused, and the bounds that follow from it; when the age bound
   * changes, rescales the limit to it and logs the change.
   */
  private watchDemand(admitted: number, refused: number, view: BacklogView): void {
    const was = this.bounds.maxPendingAgeMs;
    this.demand = watchDemand(this.demand, admitted, refused, view.measuredAt.getTime());
    this.bounds = boundsNow(this.options.bounds, this.demand);
    const ageBoundMs = this.bounds.maxPendingAgeMs;
    if (ageBoundMs === was) return;
    this.limit = rescalePendingLimit(this.limit, view, this.bounds, was);
    if (this.demand.sustained)
      this.logger.warn({ ageBoundMs }, 'overload sustained: the backlog is held to the shorter age bound');
    else this.logger.info({ ageBoundMs }, 'overload over: the backlog may grow to the age bound again');
  }
}
