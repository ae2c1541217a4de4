import { type EventOf, type InventoryProductUpdatedV1 } from '@shopflow/events';
import { upsertProductIfNewer } from '../data-access/catalog.repository';
import { type HandledOnce } from '@shopflow/messaging';
import { type OrderDependencies } from './dependencies';

/** Keeps the local catalog copy that orders are priced from; an update older than the stored one is ignored. */
export function updateCatalog(
  deps: OrderDependencies,
  event: EventOf<typeof InventoryProductUpdatedV1>,
): Promise<HandledOnce<'applied' | 'stale'>> {
  return deps.transactions.handleOnce(event, async (tx) => {
    const written = await upsertProductIfNewer(tx, event.payload, new Date(event.occurredAt));
    return { result: written ? 'applied' : 'stale', events: [] };
  });
}
