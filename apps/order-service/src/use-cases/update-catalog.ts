import { type EventOf, type InventoryProductUpdatedV1 } from '@shopflow/events';
import { upsertProductIfNewer } from '../data-access/catalog.repository';
import { type OrderTransactions } from './order-transactions';

export type CatalogUpdateOutcome = 'applied' | 'stale' | 'duplicate';

/** Keeps the local catalog copy that orders are priced from; an update older than the stored one is ignored. */
export async function updateCatalog(
  transactions: OrderTransactions,
  event: EventOf<typeof InventoryProductUpdatedV1>,
): Promise<CatalogUpdateOutcome> {
  let written = false;
  const outcome = await transactions.handleOnce(event, async (tx) => {
    written = await upsertProductIfNewer(tx, event.payload, new Date(event.occurredAt));
    return [];
  });
  if (outcome === 'duplicate') return 'duplicate';
  return written ? 'applied' : 'stale';
}
