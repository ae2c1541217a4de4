import { startEventDrivenService, type RunningService } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import path from 'node:path';
import { SERVICE_NAME, type Config } from './config';
import { catalogRoutes } from './http/catalog.routes';
import { orderRoutes } from './http/orders.routes';
import { TimeoutSweeper } from './jobs/timeout-sweeper';
import { sagaMetrics } from './metrics/saga-metrics';
import { orderHandlers } from './messaging/handlers';
import { ORDER_EVENTS } from './messaging/published-events';

export type { RunningService } from '@shopflow/bootstrap';

/** Starts the whole service; `main.ts` calls it with the environment's config, tests with their own. */
export function startService(config: Config, logger: Logger): Promise<RunningService> {
  return startEventDrivenService(
    {
      name: SERVICE_NAME,
      prismaConfig: path.join(__dirname, '../prisma.config.ts'),
      publishes: ORDER_EVENTS,
      handlers: ({ transactions, metrics }) => orderHandlers({ transactions, sagas: sagaMetrics(metrics.registry) }),
      routers: ({ db, transactions }) => [
        orderRoutes({ db, transactions, orderTimeoutMs: config.ORDER_TIMEOUT_MS }),
        catalogRoutes(db),
      ],
      jobs: ({ transactions, metrics }) => [
        new TimeoutSweeper({
          transactions,
          intervalMs: config.TIMEOUT_SWEEP_INTERVAL_MS,
          logger,
          sagas: sagaMetrics(metrics.registry),
        }),
      ],
    },
    config,
    logger,
  );
}
