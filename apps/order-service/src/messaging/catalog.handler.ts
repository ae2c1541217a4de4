import { type EventOf, type InventoryProductUpdatedV1 } from '@shopflow/events';
import { type HandlerContext } from '@shopflow/messaging';
import { type OrderTransactions } from '../use-cases/order-transactions';
import { updateCatalog } from '../use-cases/update-catalog';

export const catalogHandler =
  (transactions: OrderTransactions) =>
  async (event: EventOf<typeof InventoryProductUpdatedV1>, { logger }: HandlerContext): Promise<void> => {
    const outcome = await updateCatalog(transactions, event);
    logger.debug({ sku: event.payload.sku, outcome }, 'catalog update handled');
  };
