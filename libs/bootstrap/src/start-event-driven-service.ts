import { AccessTokenVerifier, authenticate } from '@shopflow/auth';
import { type EventDefinition } from '@shopflow/events';
import { createHttpApp, startHttpServer, type ReadinessCheck } from '@shopflow/http';
import {
  BrokerConnection,
  EventConsumer,
  EventPublisher,
  EventTransactions,
  OutboxRelay,
  type HandlerRegistration,
} from '@shopflow/messaging';
import { Database, sql } from '@shopflow/postgres';
import { createServiceMetrics, type Logger, type ServiceMetrics } from '@shopflow/observability';
import { stopTracing } from '@shopflow/observability/tracing';
import { type RequestHandler, type Router } from 'express';
import { runShutdownSteps, type ShutdownStep } from './graceful-shutdown';
import { type BaseConfig } from './load-config';
import { JobSchedule, type PeriodicJob } from './periodic-job';
import { checkSchemaMigrated } from './schema-check';

/** What a service's own code gets to build its entry points with. */
export interface ServiceContext {
  /** The service's own PostgreSQL database. */
  db: Database;
  transactions: EventTransactions;
  logger: Logger;
  /** The service's registry and shared metrics; a service registers its own metrics on `metrics.registry`. */
  metrics: ServiceMetrics;
}

export interface EventDrivenService {
  name: string;
  /** The newest migration of the service's schema: a start on a database without it stops (checkSchemaMigrated). */
  schemaMigration: string;
  /** The events this service publishes: its own exchange is declared from them. */
  publishes: readonly EventDefinition[];
  handlers(context: ServiceContext): HandlerRegistration[];
  /** Its replicas read its queue one at a time, the others standing by (see ConsumerOptions). */
  singleActiveConsumer?: boolean;
  routers(context: ServiceContext): Router[];
  /** Load shedding: runs before a request is logged, read or authenticated (see HttpAppOptions.admission). */
  admission?(context: ServiceContext): RequestHandler;
  /** Dependencies beyond the database and the broker that must answer for the service to be ready. */
  readiness?: ReadinessCheck[];
  /** Runs once connected, before the service takes traffic (e.g. seeding). */
  prepare?(context: ServiceContext): Promise<void>;
  /** Started once the service runs, stopped after the consumer and before the relay. */
  jobs?(context: ServiceContext): PeriodicJob[];
  /** Closed after the consumer has stopped (e.g. an SMTP transport). */
  resources?: ShutdownStep[];
}

export interface RunningService {
  port: number;
  /** Graceful: stops taking requests and messages, finishes what is in flight, closes connections. */
  stop(): Promise<void>;
}

/**
 * The start-up every service shares: broker connection, publisher with its outbox relay, the
 * consumer of its queue `<name>.events`, the HTTP app with health checks, then the ordered shutdown.
 * A service supplies only what is its own. Its database is migrated before it starts, by the
 * migration step (tools/migrate), never by the service.
 */
export async function startEventDrivenService(
  service: EventDrivenService,
  config: BaseConfig,
  logger: Logger,
): Promise<RunningService> {
  const db = new Database({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: service.name,
  });
  await checkSchemaMigrated(db, service.schemaMigration).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  // One registry per running service, so several services in one process (tests) never mix counts.
  const metrics = createServiceMetrics(service.name);
  const broker = new BrokerConnection({ url: config.AMQP_URL, connectionName: service.name, logger });
  const publisher = new EventPublisher(broker, service.publishes, { metrics });
  // Local commits are dispatched at once; the poll is for what they leave behind, after 2 s.
  const relay = new OutboxRelay({ db, publisher, logger, metrics, claimAfterMs: 2000 });
  const context: ServiceContext = {
    db,
    transactions: new EventTransactions(db, relay, `${service.name}.events`, {
      maxBatch: config.TRANSACTION_BATCH_MAX,
      maxConcurrentBatches: config.TRANSACTION_BATCH_CONCURRENCY,
      metrics,
    }),
    logger,
    metrics,
  };
  const consumer = new EventConsumer(broker, {
    service: service.name,
    purpose: 'events',
    prefetch: config.PREFETCH,
    logger,
    handlers: service.handlers(context),
    metrics,
    singleActiveConsumer: service.singleActiveConsumer,
  });
  metrics.watchQueues(() => consumer.queueStats());
  const jobs = (service.jobs?.(context) ?? []).map((job) => ({
    name: job.name,
    schedule: new JobSchedule(job, logger),
  }));
  // Not ready until start-up is complete: every consumer attached, every job running.
  let started = false;
  const app = createHttpApp({
    logger,
    metrics,
    routers: service.routers(context),
    admission: service.admission?.(context),
    authenticate: authenticate(new AccessTokenVerifier(config)),
    readiness: [
      { name: 'database', check: () => db.query(sql`SELECT 1`) },
      { name: 'broker', check: () => broker.checkConnected() },
      { name: 'outbox', check: () => checkOutboxAge(relay, config.READINESS_OUTBOX_MAX_AGE_MS) },
      ...(service.readiness ?? []),
      {
        name: 'startup',
        check: async () => {
          if (!started) throw new Error('still starting');
        },
      },
    ],
  });

  await service.prepare?.(context);
  const server = await startHttpServer(app, config.PORT, logger);
  relay.start();
  await consumer.start();
  jobs.forEach((job) => job.schedule.start());
  started = true;

  return {
    port: server.port,
    stop: () =>
      runShutdownSteps(
        [
          { name: 'http', run: () => server.close() },
          { name: 'consumer', run: () => consumer.stop() },
          ...jobs.map((job) => ({ name: job.name, run: () => job.schedule.stop() })),
          ...(service.resources ?? []),
          { name: 'outbox relay', run: () => relay.stop() },
          { name: 'publisher', run: () => publisher.close() },
          { name: 'broker', run: () => broker.close() },
          { name: 'database', run: () => db.close() },
          {
            name: 'tracing',
            // Lost spans are worth a warning, not a failed shutdown: the service's own work is done.
            run: async () => {
              const lost = await stopTracing();
              if (lost) logger.warn(lost);
            },
          },
        ],
        logger,
      ),
  };
}

/** Events waiting longer than `maxAgeMs` mean the relay cannot publish: the service is not doing its job. */
async function checkOutboxAge(relay: OutboxRelay, maxAgeMs: number): Promise<void> {
  const { backlog, oldestAgeSeconds } = await relay.measureBacklog();
  if (oldestAgeSeconds * 1000 > maxAgeMs) {
    throw new Error(`${backlog} unsent outbox events, the oldest ${Math.round(oldestAgeSeconds)} s old`);
  }
}
