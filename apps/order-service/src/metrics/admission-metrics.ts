import { Counter, Gauge, type Registry } from 'prom-client';
import { type BacklogView, type PendingLimit, type RefusalReason } from '../domain/admission';

/** What admission control records: each measurement of the backlog, each refused order. */
export interface AdmissionMetrics {
  measured(view: BacklogView, limit: PendingLimit): void;
  refused(reason: RefusalReason): void;
}

const REASONS: readonly RefusalReason[] = ['pending_orders', 'pending_age'];

/**
 * On order-service's registry:
 * - `shopflow_orders_refused_total{reason}`: `POST /orders` answered 503 by admission control.
 * - `shopflow_pending_orders`: orders still PENDING (unfinished sagas), as this replica last measured.
 * - `shopflow_pending_orders_age_seconds`: the backlog's age the bound applies to (its oldest
 *   stragglers left out, see agedOrderRank), as this replica last measured.
 * - `shopflow_pending_orders_limit`: the backlog this replica admits up to, adapted to the age bound
 *   (see PendingLimit); +Inf while no bound applies.
 * The gauges are one database's backlog seen by every replica: aggregate them with max, not sum.
 */
export function admissionMetrics(registry: Registry): AdmissionMetrics {
  const registers = [registry];
  const refusals = new Counter({
    name: 'shopflow_orders_refused_total',
    help: 'New orders refused (503) because the backlog of unfinished sagas passed a bound, by reason',
    labelNames: ['reason'],
    registers,
  });
  // Every reason from the start, so rate() sees the first refusal rather than a series appearing.
  for (const reason of REASONS) refusals.inc({ reason }, 0);
  const pending = new Gauge({
    name: 'shopflow_pending_orders',
    help: 'Orders still PENDING (sagas not finished), as last measured by this replica for admission control',
    registers,
  });
  const age = new Gauge({
    name: 'shopflow_pending_orders_age_seconds',
    help: 'Age of the PENDING backlog, its oldest stragglers left out, as last measured for admission control',
    registers,
  });
  const limitGauge = new Gauge({
    name: 'shopflow_pending_orders_limit',
    help: 'PENDING orders at which this replica refuses new ones, adapted to the backlog age bound',
    registers,
  });
  return {
    measured(view, limit) {
      pending.set(view.pendingOrders);
      age.set(view.pendingAgeMs / 1000);
      limitGauge.set(limit.orders);
    },
    refused(reason) {
      refusals.inc({ reason });
    },
  };
}
