import { applyMigrations, runShutdownSteps } from '@shopflow/bootstrap';
import { createHttpApp, startHttpServer } from '@shopflow/http';
import { BrokerConnection, EventConsumer, EventPublisher, EventTransactions, OutboxRelay } from '@shopflow/messaging';
import { type Logger } from '@shopflow/observability';
import path from 'node:path';
import { SERVICE_NAME, type Config } from './config';
import { createPrismaClient, pingDatabase } from './data-access/prisma-client';
import { SimulatedGateway } from './gateway/simulated-gateway';
import { paymentRoutes } from './http/payment.routes';
import { paymentHandlers } from './messaging/handlers';
import { PAYMENT_EVENTS } from './messaging/published-events';

export interface RunningService {
  port: number;
  /** Graceful: stops taking requests and messages, finishes what is in flight, closes connections. */
  stop(): Promise<void>;
}

/** Starts the whole service; `main.ts` calls it with the environment's config, tests with their own. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  if (config.MIGRATE_ON_START) {
    await applyMigrations({ prismaConfig: path.join(__dirname, '../prisma.config.ts'), databaseUrl: config.DATABASE_URL, logger });
  }
  const db = createPrismaClient(config.DATABASE_URL);
  const broker = new BrokerConnection({ url: config.AMQP_URL, connectionName: SERVICE_NAME, logger });
  const publisher = new EventPublisher(broker, PAYMENT_EVENTS);
  const relay = new OutboxRelay({ db, publisher, logger });
  const consumer = new EventConsumer(broker, {
    service: SERVICE_NAME,
    purpose: 'events',
    prefetch: config.PREFETCH,
    logger,
    handlers: paymentHandlers({
      transactions: new EventTransactions(db, relay, `${SERVICE_NAME}.events`),
      gateway: new SimulatedGateway({ latencyMs: config.GATEWAY_LATENCY_MS, failureRate: config.GATEWAY_FAILURE_RATE }),
    }),
  });
  const app = createHttpApp({
    logger,
    routers: [paymentRoutes(db)],
    readiness: [
      { name: 'database', check: () => pingDatabase(db) },
      { name: 'broker', check: () => broker.checkConnected() },
    ],
  });

  const server = await startHttpServer(app, config.PORT, logger);
  relay.start();
  await consumer.start();

  return {
    port: server.port,
    stop: () =>
      runShutdownSteps(
        [
          { name: 'http', run: () => server.close() },
          { name: 'consumer', run: () => consumer.stop() },
          { name: 'outbox relay', run: () => relay.stop() },
          { name: 'publisher', run: () => publisher.close() },
          { name: 'broker', run: () => broker.close() },
          { name: 'database', run: () => db.$disconnect() },
        ],
        logger,
      ),
  };
}
