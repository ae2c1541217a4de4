import { type EventOf, type InventoryProductUpdatedV1 } from '@shopflow/events';
import { outcomeOf, type HandlerContext } from '@shopflow/messaging';
import { type OrderDependencies } from '../use-cases/dependencies';
import { updateCatalog } from '../use-cases/update-catalog';

export const catalogHandler =
  (deps: OrderDependencies) =>
  async (event: EventOf<typeof InventoryProductUpdatedV1>, { logger }: HandlerContext): Promise<void> => {
    const handled = await updateCatalog(deps, event);
    logger.debug({ sku: event.payload.sku, outcome: outcomeOf(handled) }, 'catalog update handled');
  };
