import { startEventDrivenService, type RunningService, type ServiceContext } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import { SCHEMA_MIGRATION } from './data-access/schema-version';
import { SERVICE_NAME, type Config } from './config';
import { PaymentGatewayClient } from './gateway/payment-gateway.client';
import { paymentRoutes } from './http/payment.routes';
import { paymentHandlers } from './messaging/handlers';
import { PAYMENT_EVENTS } from './messaging/published-events';
import { type PaymentDependencies } from './use-cases/dependencies';

export type { RunningService } from '@shopflow/bootstrap';

/** Starts the whole service; `main.ts` calls it with the environment's config, tests with their own. */
export function startService(config: Config, logger: Logger): Promise<RunningService> {
  const gateway = new PaymentGatewayClient({
    url: config.PAYMENT_GATEWAY_URL,
    timeoutMs: config.PAYMENT_GATEWAY_TIMEOUT_MS,
    connections: config.PAYMENT_GATEWAY_CONNECTIONS,
    attempts: config.PAYMENT_GATEWAY_ATTEMPTS,
    backoffMs: config.PAYMENT_GATEWAY_BACKOFF_MS,
  });
  const dependencies = ({ db, transactions }: ServiceContext): PaymentDependencies => ({ db, transactions, gateway });
  return startEventDrivenService(
    {
      name: SERVICE_NAME,
      schemaMigration: SCHEMA_MIGRATION,
      publishes: PAYMENT_EVENTS,
      handlers: (context) => paymentHandlers(dependencies(context)),
      routers: (context) => [paymentRoutes(dependencies(context))],
      readiness: [{ name: 'payment-gateway', check: () => gateway.reachable() }],
      // After the consumer has stopped: no call is in flight any more.
      resources: [{ name: 'payment-gateway', run: () => gateway.close() }],
    },
    config,
    logger,
  );
}
