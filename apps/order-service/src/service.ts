import { applyMigrations, runShutdownSteps } from '@shopflow/bootstrap';
import { createHttpApp, startHttpServer } from '@shopflow/http';
import { BrokerConnection, EventConsumer, EventPublisher, EventTransactions, OutboxRelay } from '@shopflow/messaging';
import { type Logger } from '@shopflow/observability';
import path from 'node:path';
import { SERVICE_NAME, type Config } from './config';
import { createPrismaClient, pingDatabase } from './data-access/prisma-client';
import { catalogRoutes } from './http/catalog.routes';
import { orderRoutes } from './http/orders.routes';
import { TimeoutSweeper } from './jobs/timeout-sweeper';
import { orderHandlers } from './messaging/handlers';
import { ORDER_EVENTS } from './messaging/published-events';

export interface RunningService {
  port: number;
  /** Graceful: stops taking requests and messages, finishes what is in flight, closes connections. */
  stop(): Promise<void>;
}

/** Starts the whole service; `main.ts` calls it with the environment's config, tests with their own. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  if (config.MIGRATE_ON_START) {
    await applyMigrations({
      prismaConfig: path.join(__dirname, '../prisma.config.ts'),
      databaseUrl: config.DATABASE_URL,
      logger,
    });
  }
  const db = createPrismaClient(config.DATABASE_URL);
  const broker = new BrokerConnection({ url: config.AMQP_URL, connectionName: SERVICE_NAME, logger });
  const publisher = new EventPublisher(broker, ORDER_EVENTS);
  const relay = new OutboxRelay({ db, publisher, logger });
  const transactions = new EventTransactions(db, relay, `${SERVICE_NAME}.events`);
  const consumer = new EventConsumer(broker, {
    service: SERVICE_NAME,
    purpose: 'events',
    prefetch: config.PREFETCH,
    logger,
    handlers: orderHandlers({ transactions }),
  });
  const sweeper = new TimeoutSweeper({ transactions, intervalMs: config.TIMEOUT_SWEEP_INTERVAL_MS, logger });
  // Not ready until startService has returned: then every consumer runs and main.ts has its SIGTERM handler.
  let started = false;
  const app = createHttpApp({
    logger,
    routers: [orderRoutes({ db, transactions, orderTimeoutMs: config.ORDER_TIMEOUT_MS }), catalogRoutes(db)],
    readiness: [
      { name: 'database', check: () => pingDatabase(db) },
      { name: 'broker', check: () => broker.checkConnected() },
      {
        name: 'startup',
        check: async () => {
          if (!started) throw new Error('still starting');
        },
      },
    ],
  });

  const server = await startHttpServer(app, config.PORT, logger);
  relay.start();
  await consumer.start();
  sweeper.start();
  started = true;

  return {
    port: server.port,
    stop: () =>
      runShutdownSteps(
        [
          { name: 'http', run: () => server.close() },
          { name: 'consumer', run: () => consumer.stop() },
          { name: 'timeout sweeper', run: () => sweeper.stop() },
          { name: 'outbox relay', run: () => relay.stop() },
          { name: 'publisher', run: () => publisher.close() },
          { name: 'broker', run: () => broker.close() },
          { name: 'database', run: () => db.$disconnect() },
        ],
        logger,
      ),
  };
}
