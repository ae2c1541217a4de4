import { startEventDrivenService, type RunningService, type ServiceContext } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import { SCHEMA_MIGRATION } from './data-access/schema-version';
import { SERVICE_NAME, type Config } from './config';
import { notificationRoutes } from './http/notifications.routes';
import { SmtpMailer } from './mailer/smtp-mailer';
import { notificationHandlers } from './messaging/handlers';
import { NOTIFICATION_EVENTS } from './messaging/published-events';
import { type NotificationDependencies } from './use-cases/dependencies';

export type { RunningService } from '@shopflow/bootstrap';

/** Starts the whole service; `main.ts` calls it with the environment's config, tests with their own. */
export function startService(config: Config, logger: Logger): Promise<RunningService> {
  const mailer = new SmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    user: config.SMTP_USER,
    password: config.SMTP_PASSWORD,
    from: config.MAIL_FROM,
    pool: config.SMTP_POOL,
    maxConnections: config.SMTP_MAX_CONNECTIONS,
  });
  const sendingHere = new Set<string>();
  const dependencies = ({ db, transactions }: ServiceContext): NotificationDependencies => ({
    db,
    transactions,
    mailer,
    sendingHere,
  });
  return startEventDrivenService(
    {
      name: SERVICE_NAME,
      schemaMigration: SCHEMA_MIGRATION,
      publishes: NOTIFICATION_EVENTS,
      handlers: (context) => notificationHandlers(dependencies(context)),
      routers: (context) => [notificationRoutes(dependencies(context))],
      readiness: [{ name: 'smtp', check: () => mailer.verify() }],
      resources: [{ name: 'smtp', run: async () => mailer.close() }],
    },
    config,
    logger,
  );
}
