import { insertMissingProducts, listProducts } from '../data-access/products.repository';
import { type ProductDetails } from '../domain/product';
import { type InventoryDependencies } from './dependencies';
import { productUpdatedEvent } from './product-updated-event';

/**
 * At start: inserts the demo products that are missing (never overwriting one), then announces
 * every product, so a service whose catalog copy is new or behind catches up.
 */
export function seedCatalog(
  deps: InventoryDependencies,
  demoProducts: readonly ProductDetails[],
): Promise<{ inserted: number; announced: number }> {
  return deps.transactions.run(async (tx) => {
    const inserted = demoProducts.length > 0 ? await insertMissingProducts(tx, demoProducts) : 0;
    const products = await listProducts(tx);
    return {
      result: { inserted, announced: products.length },
      events: products.map((product) => productUpdatedEvent(product)),
    };
  });
}
