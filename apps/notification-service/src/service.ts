import { applyMigrations, runShutdownSteps } from '@shopflow/bootstrap';
import { createHttpApp, startHttpServer } from '@shopflow/http';
import { BrokerConnection, EventConsumer, EventPublisher, EventTransactions, OutboxRelay } from '@shopflow/messaging';
import { type Logger } from '@shopflow/observability';
import path from 'node:path';
import { SERVICE_NAME, type Config } from './config';
import { createPrismaClient, pingDatabase } from './data-access/prisma-client';
import { notificationRoutes } from './http/notifications.routes';
import { SmtpMailer } from './mailer/smtp-mailer';
import { notificationHandlers } from './messaging/handlers';
import { NOTIFICATION_EVENTS } from './messaging/published-events';

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
  // Each message in flight holds a connection for the length of its SMTP send; two more serve the relay and HTTP.
  const db = createPrismaClient(config.DATABASE_URL, config.PREFETCH + 2);
  const broker = new BrokerConnection({ url: config.AMQP_URL, connectionName: SERVICE_NAME, logger });
  const publisher = new EventPublisher(broker, NOTIFICATION_EVENTS);
  const relay = new OutboxRelay({ db, publisher, logger });
  const mailer = new SmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    user: config.SMTP_USER,
    password: config.SMTP_PASSWORD,
    from: config.MAIL_FROM,
    pool: config.SMTP_POOL,
  });
  const consumer = new EventConsumer(broker, {
    service: SERVICE_NAME,
    purpose: 'events',
    prefetch: config.PREFETCH,
    logger,
    handlers: notificationHandlers({
      transactions: new EventTransactions(db, relay, `${SERVICE_NAME}.events`),
      mailer,
    }),
  });
  const app = createHttpApp({
    logger,
    routers: [notificationRoutes(db)],
    readiness: [
      { name: 'database', check: () => pingDatabase(db) },
      { name: 'broker', check: () => broker.checkConnected() },
      { name: 'smtp', check: () => mailer.verify() },
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
          { name: 'smtp', run: async () => mailer.close() },
          { name: 'outbox relay', run: () => relay.stop() },
          { name: 'publisher', run: () => publisher.close() },
          { name: 'broker', run: () => broker.close() },
          { name: 'database', run: () => db.$disconnect() },
        ],
        logger,
      ),
  };
}
