import { type EventTransactions } from '@shopflow/messaging';
import { type Database } from '@shopflow/postgres';
import { type SagaMetrics } from '../metrics/saga-metrics';

/** What order-service's use cases, entry points and jobs are given (built once in service.ts). */
export interface OrderDependencies {
  /** Units of work: state, outbox and inbox in one transaction. */
  transactions: EventTransactions;
  /** Reads outside any unit of work. */
  db: Database;
  /** How long a saga may take before the order is cancelled (`timeout`). */
  orderTimeoutMs: number;
  /** Entry points record each saga a committed unit finished. */
  sagas: SagaMetrics;
}
