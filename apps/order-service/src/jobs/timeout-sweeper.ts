import { type Logger } from '@shopflow/observability';
import { type SagaMetrics } from '../metrics/saga-metrics';
import { cancelExpiredOrders } from '../use-cases/cancel-expired-orders';
import { type OrderTransactions } from '../use-cases/order-transactions';

export interface TimeoutSweeperOptions {
  transactions: OrderTransactions;
  intervalMs: number;
  logger: Logger;
  sagas: SagaMetrics;
  batchSize?: number;
}

/**
 * Every interval, cancels the PENDING orders whose deadline passed. Every replica runs one: each
 * claims orders with SKIP LOCKED, so no order is cancelled twice.
 */
export class TimeoutSweeper {
  readonly name = 'timeout sweeper';
  private readonly logger: Logger;
  private readonly batchSize: number;
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = true;

  constructor(private readonly options: TimeoutSweeperOptions) {
    this.logger = options.logger.child({ component: 'timeout-sweeper' });
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.scheduleNext();
  }

  /** Lets a sweep in progress finish (its transactions commit or roll back whole), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  private scheduleNext(): void {
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .catch((err) => this.logger.error({ err }, 'timeout sweep failed; trying again at the next interval'))
        .finally(() => {
          this.sweeping = undefined;
          if (!this.stopped) this.scheduleNext();
        });
    }, this.options.intervalMs);
  }

  private async sweep(): Promise<void> {
    const now = new Date();
    let cancelled = 0;
    let batch: number;
    do {
      const finished = await cancelExpiredOrders(this.options.transactions, now, this.batchSize);
      finished.forEach((saga) => this.options.sagas.finished(saga));
      batch = finished.length;
      cancelled += batch;
    } while (batch === this.batchSize);
    if (cancelled > 0) this.logger.info({ cancelled }, 'orders past their deadline cancelled');
  }
}
