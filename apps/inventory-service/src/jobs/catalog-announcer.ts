import { type BackgroundJob } from '@shopflow/bootstrap';
import { type Logger } from '@shopflow/observability';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { seedCatalog } from '../use-cases/seed-catalog';

/**
 * Announces the whole catalog again every interval. A consumer whose queue did not exist when
 * a product changed (first deployment, a queue deleted, a database restored) catches up within
 * one interval instead of never; order-service ignores announcements older than what it has.
 */
export class CatalogAnnouncer implements BackgroundJob {
  readonly name = 'catalog announcer';
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly deps: InventoryDependencies,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= seedCatalog(this.deps, [])
        .then((result) => this.logger.debug(result, 'catalog announced'))
        .catch((err) => this.logger.error({ err }, 'catalog announcement failed; next interval retries'))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
