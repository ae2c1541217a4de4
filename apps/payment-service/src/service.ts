import { startEventDrivenService, type RunningService } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import path from 'node:path';
import { SERVICE_NAME, type Config } from './config';
import { SimulatedGateway } from './gateway/simulated-gateway';
import { paymentRoutes } from './http/payment.routes';
import { paymentHandlers } from './messaging/handlers';
import { PAYMENT_EVENTS } from './messaging/published-events';

export type { RunningService } from '@shopflow/bootstrap';

/** Starts the whole service; `main.ts` calls it with the environment's config, tests with their own. */
export function startService(config: Config, logger: Logger): Promise<RunningService> {
  const gateway = new SimulatedGateway({
    latencyMs: config.GATEWAY_LATENCY_MS,
    failureRate: config.GATEWAY_FAILURE_RATE,
  });
  return startEventDrivenService(
    {
      name: SERVICE_NAME,
      prismaConfig: path.join(__dirname, '../prisma.config.ts'),
      publishes: PAYMENT_EVENTS,
      handlers: ({ transactions }) => paymentHandlers({ transactions, gateway }),
      routers: ({ db }) => [paymentRoutes(db)],
    },
    config,
    logger,
  );
}
