import { startEventDrivenService, type RunningService, type ServiceContext } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import { Database } from '@shopflow/postgres';
import { SCHEMA_MIGRATION } from './data-access/schema-version';
import { SERVICE_NAME, type Config } from './config';
import { catalogRoutes } from './http/catalog.routes';
import { orderRoutes, screenNewOrders } from './http/orders.routes';
import { BacklogMonitor } from './jobs/backlog-monitor';
import { timeoutSweeper } from './jobs/timeout-sweeper';
import { admissionMetrics } from './metrics/admission-metrics';
import { sagaMetrics } from './metrics/saga-metrics';
import { orderHandlers } from './messaging/handlers';
import { ORDER_EVENTS } from './messaging/published-events';
import { type OrderDependencies } from './use-cases/dependencies';

export type { RunningService } from '@shopflow/bootstrap';

/** Starts the whole service; `main.ts` calls it with the environment's config, tests with their own. */
export function startService(config: Config, logger: Logger): Promise<RunningService> {
  const dependencies = ({ db, transactions, metrics }: ServiceContext): OrderDependencies => ({
    db,
    transactions,
    orderTimeoutMs: config.ORDER_TIMEOUT_MS,
    sagas: sagaMetrics(metrics.registry),
  });
  // Admission control: one monitor, both a job (it measures the backlog on a timer) and what POST /orders
  // asks, made by whichever needs it first. Readiness leaves the backlog alone: a replica over its bounds
  // refuses new orders and is otherwise doing its job (finishing sagas, answering reads); taking it out
  // of the load balancer would only move its share of the traffic onto the others.
  let monitor: BacklogMonitor | undefined;
  const backlogMonitor = ({ metrics }: ServiceContext) =>
    (monitor ??= new BacklogMonitor({
      db: new Database({ url: config.DATABASE_URL, poolSize: 1, applicationName: `${SERVICE_NAME} backlog monitor` }),
      intervalMs: config.ADMISSION_REFRESH_INTERVAL_MS,
      bounds: {
        maxPendingOrders: config.ADMISSION_MAX_PENDING_ORDERS,
        maxPendingAgeMs: config.ADMISSION_MAX_PENDING_AGE_MS,
        overloadPendingAgeMs: config.ADMISSION_OVERLOAD_PENDING_AGE_MS,
        ageStragglers: config.ADMISSION_AGE_STRAGGLERS,
        retryAfterSeconds: config.ADMISSION_RETRY_AFTER_S,
        // Twenty missed measurements (at least 5 s): the database is not answering the monitor.
        viewExpiresAfterMs: Math.max(5000, 20 * config.ADMISSION_REFRESH_INTERVAL_MS),
      },
      logger,
      metrics: admissionMetrics(metrics.registry),
    }));
  return startEventDrivenService(
    {
      name: SERVICE_NAME,
      schemaMigration: SCHEMA_MIGRATION,
      publishes: ORDER_EVENTS,
      handlers: (context) => orderHandlers(dependencies(context)),
      admission: (context) => screenNewOrders(backlogMonitor(context)),
      routers: (context) => [
        orderRoutes(dependencies(context), backlogMonitor(context)),
        catalogRoutes(dependencies(context)),
      ],
      jobs: (context) => [
        backlogMonitor(context),
        timeoutSweeper(dependencies(context), { intervalMs: config.TIMEOUT_SWEEP_INTERVAL_MS, logger }),
      ],
    },
    config,
    logger,
  );
}
