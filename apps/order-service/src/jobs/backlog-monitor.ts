import { type Logger } from '@shopflow/observability';
import { type SqlClient } from '@shopflow/postgres';
import { awaitingInventoryPlacedAt, countBacklog } from '../data-access/orders.repository';
import {
  adaptPendingLimit,
  agedOrderRank,
  backlogAgeMs,
  decideAdmission,
  initialPendingLimit,
  type Admission,
  type AdmissionBounds,
  type AdmissionGate,
  type BacklogView,
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
 * of them await their stock reservation, then the age of the latter), adapts its limit to it (see
 * PendingLimit), and keeps both in memory for `POST /orders` to decide on without a query per
 * request, counting the orders it admits until the next measurement. Every replica runs one and
 * decides for itself from the same table: the others' admissions since the last measurement it sees
 * only at the next one, so the backlog can overshoot by what they admit in one interval, and the age
 * brings every limit back.
 */
export class BacklogMonitor implements AdmissionGate {
  readonly name = 'backlog monitor';
  private readonly logger: Logger;
  private view?: BacklogView;
  private limit: PendingLimit;
  /** Orders admitted since the measurement in progress or the last one began. */
  private admittedSinceView = 0;
  private timer?: NodeJS.Timeout;
  private measuring?: Promise<void>;
  private stopped = true;
  private failing = false;
  private refusing = false;

  constructor(private readonly options: BacklogMonitorOptions) {
    this.logger = options.logger.child({ component: 'backlog-monitor' });
    this.limit = initialPendingLimit(options.bounds);
  }

  /** Measures at once (the first view is there within a round trip of start-up), then every interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.measureThenScheduleNext();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.measuring;
    await this.options.db.close();
  }

  admit(now = new Date()): Admission {
    const admission = decideAdmission(this.view, this.options.bounds, now, this.limit, this.admittedSinceView);
    if (admission.admitted) this.admittedSinceView++;
    else this.options.metrics.refused(admission.reason);
    return admission;
  }

  private measureThenScheduleNext(): void {
    this.measuring = this.measure()
      .then(
        () => {
          if (this.failing) this.logger.info('backlog measured again; admission control is back');
          this.failing = false;
        },
        (err: unknown) => {
          // Once per outage, not every interval: the view expires and orders are admitted meanwhile.
          if (!this.failing) this.logger.warn({ err }, 'cannot measure the backlog; trying again every interval');
          this.failing = true;
        },
      )
      .finally(() => {
        this.measuring = undefined;
        if (!this.stopped) this.timer = setTimeout(() => this.measureThenScheduleNext(), this.options.intervalMs);
      });
  }

  private async measure(): Promise<void> {
    const { db, bounds } = this.options;
    // Counted from before the count: an order admitted while it runs may be in it and counted twice,
    // which errs on refusing, never on overshooting.
    const admittedBefore = this.admittedSinceView;
    const { pending: pendingOrders, awaitingInventory } = await countBacklog(db);
    const rank = agedOrderRank(awaitingInventory, bounds.ageStragglers);
    const placedAt = rank === undefined ? null : await awaitingInventoryPlacedAt(db, rank);
    const measuredAt = new Date();
    const view = {
      pendingOrders,
      awaitingInventory,
      awaitingInventoryAgeMs: backlogAgeMs(placedAt, measuredAt),
      measuredAt,
    };
    this.view = view;
    this.admittedSinceView -= admittedBefore;
    this.limit = adaptPendingLimit(this.limit, view, bounds);
    this.options.metrics.measured(view, this.limit);
    // Logged when it starts and when it ends; each refusal is counted (shopflow_orders_refused_total).
    const verdict = decideAdmission(view, bounds, measuredAt, this.limit);
    if (verdict.admitted === this.refusing) {
      this.refusing = !verdict.admitted;
      const backlog = { pendingOrders, awaitingInventory, awaitingInventoryAgeMs: view.awaitingInventoryAgeMs };
      if (verdict.admitted) this.logger.info(backlog, 'backlog back within its bounds: new orders accepted again');
      else this.logger.warn({ ...backlog, reason: verdict.reason }, 'backlog over its bound: new orders refused');
    }
  }
}
