import { Counter, Gauge, type Registry } from 'prom-client';
import { type BacklogView, type PendingLimit, type RefusalReason } from '../domain/admission';

/** What admission control records: each measurement of the backlog, each refused order. */
export interface AdmissionMetrics {
  /** `ageBoundMs`: the age bound that applied (shorter while overload is sustained). */
  measured(view: BacklogView, limit: PendingLimit, ageBoundMs: number): void;
  refused(reason: RefusalReason): void;
}

const REASONS: readonly RefusalReason[] = ['pending_orders', 'pending_age'];

/**
 * On order-service's registry:
 * - `shopflow_orders_refused_total{reason}`: `POST /orders` answered 503 by admission control.
 * - `shopflow_pending_orders`: orders still PENDING (unfinished sagas), as this replica last measured;
 *   what ADMISSION_MAX_PENDING_ORDERS bounds.
 * - `shopflow_orders_awaiting_inventory`: of those, the orders whose stock reservation is unanswered;
 *   what `shopflow_pending_orders_limit` bounds.
 * - `shopflow_pending_orders_age_seconds`: the age the bound applies to, that of the PENDING orders
 *   awaiting their reservation (their stragglers left out, see agedOrderRanks), as this replica
 *   last measured. The orders waiting only for their payment are not in it (see admission.ts).
 * - `shopflow_pending_orders_limit`: the orders awaiting their reservation this replica admits up
 *   to, adapted to the age bound (see PendingLimit); +Inf while no bound applies.
 * - `shopflow_admission_age_bound_seconds`: the age bound that applies, ADMISSION_MAX_PENDING_AGE_MS
 *   or, while overload is sustained, ADMISSION_OVERLOAD_PENDING_AGE_MS (see DemandWatch); 0: none.
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
  const awaitingInventory = new Gauge({
    name: 'shopflow_orders_awaiting_inventory',
    help: 'PENDING orders whose stock reservation is unanswered, as last measured by this replica for admission control',
    registers,
  });
  const age = new Gauge({
    name: 'shopflow_pending_orders_age_seconds',
    help: 'Age of the PENDING orders awaiting their stock reservation, oldest stragglers left out, as last measured for admission control',
    registers,
  });
  const limitGauge = new Gauge({
    name: 'shopflow_pending_orders_limit',
    help: 'PENDING orders awaiting their stock reservation at which this replica refuses new ones, adapted to the age bound',
    registers,
  });
  const ageBound = new Gauge({
    name: 'shopflow_admission_age_bound_seconds',
    help: 'Age bound admission control holds the orders awaiting their stock reservation to: shorter while overload is sustained',
    registers,
  });
  return {
    measured(view, limit, ageBoundMs) {
      ageBound.set(ageBoundMs / 1000);
      pending.set(view.pendingOrders);
      awaitingInventory.set(view.awaitingInventory);
      age.set(view.awaitingInventoryAgeMs / 1000);
      limitGauge.set(limit.orders);
    },
    refused(reason) {
      refusals.inc({ reason });
    },
  };
}
