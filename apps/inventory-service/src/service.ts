import { startEventDrivenService, type RunningService, type ServiceContext } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import { SCHEMA_MIGRATION } from './data-access/schema-version';
import { SERVICE_NAME, type Config } from './config';
import { DEMO_CATALOG } from './domain/demo-catalog';
import { productsRoutes } from './http/products.routes';
import { catalogAnnouncer } from './jobs/catalog-announcer';
import { inventoryHandlers } from './messaging/handlers';
import { INVENTORY_EVENTS } from './messaging/published-events';
import { type InventoryDependencies } from './use-cases/dependencies';
import { seedCatalog } from './use-cases/seed-catalog';

export type { RunningService } from '@shopflow/bootstrap';

/** Starts the whole service; `main.ts` calls it with the environment's config, tests with their own. */
export function startService(config: Config, logger: Logger): Promise<RunningService> {
  const dependencies = ({ db, transactions }: ServiceContext): InventoryDependencies => ({ db, transactions });
  return startEventDrivenService(
    {
      name: SERVICE_NAME,
      schemaMigration: SCHEMA_MIGRATION,
      publishes: INVENTORY_EVENTS,
      handlers: (context) => inventoryHandlers(dependencies(context)),
      // Every order.placed, .confirmed and .cancelled writes the stock rows of the products it names,
      // and a shop's best sellers are in most orders: two replicas handling them at once would wait
      // on each other's row locks. One replica handles the queue; the others serve HTTP and stand by.
      singleActiveConsumer: true,
      routers: (context) => [productsRoutes(dependencies(context))],
      jobs: (context) =>
        config.CATALOG_ANNOUNCE_INTERVAL_MS > 0
          ? [catalogAnnouncer(dependencies(context), { intervalMs: config.CATALOG_ANNOUNCE_INTERVAL_MS, logger })]
          : [],
      prepare: async (context) => {
        const catalog = await seedCatalog(dependencies(context), config.SEED_CATALOG ? DEMO_CATALOG : []);
        logger.info(catalog, 'catalog seeded and announced');
      },
    },
    config,
    logger,
  );
}
