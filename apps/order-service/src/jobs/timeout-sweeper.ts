import { type PeriodicJob } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import { cancelExpiredOrders } from '../use-cases/cancel-expired-orders';
import { type OrderDependencies } from '../use-cases/dependencies';

/**
 * Every interval, cancels the PENDING orders whose deadline passed, a batch per transaction. Every
 * replica runs one: each claims orders with SKIP LOCKED, so no order is cancelled twice.
 */
export function timeoutSweeper(
  deps: OrderDependencies,
  options: { intervalMs: number; logger: Logger; batchSize?: number },
): PeriodicJob {
  const batchSize = options.batchSize ?? 100;
  return {
    name: 'timeout sweeper',
    intervalMs: options.intervalMs,
    run: async () => {
      const now = new Date();
      let cancelled = 0;
      let batch: number;
      do {
        const finished = await cancelExpiredOrders(deps, { now, batchSize });
        finished.forEach((saga) => deps.sagas.finished(saga));
        batch = finished.length;
        cancelled += batch;
      } while (batch === batchSize);
      if (cancelled > 0) options.logger.info({ cancelled }, 'orders past their deadline cancelled');
    },
  };
}
