import { type PeriodicJob } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { seedCatalog } from '../use-cases/seed-catalog';

/**
 * Announces the whole catalog again every interval. A consumer whose queue did not exist when
 * a product changed (first deployment, a queue deleted, a database restored) catches up within
 * one interval instead of never; order-service ignores announcements older than what it has.
 */
export function catalogAnnouncer(
  deps: InventoryDependencies,
  options: { intervalMs: number; logger: Logger },
): PeriodicJob {
  return {
    name: 'catalog announcer',
    intervalMs: options.intervalMs,
    run: async () => {
      const announced = await seedCatalog(deps, []);
      options.logger.debug(announced, 'catalog announced');
    },
  };
}
