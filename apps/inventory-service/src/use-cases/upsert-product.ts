import { AppError } from '@shopflow/errors';
import { type Transaction } from '@shopflow/postgres';
import { insertProductIfMissing, lockProduct, updateProductDetails } from '../data-access/products.repository';
import { changeProduct, newProduct, type Product, type ProductDetails } from '../domain/product';
import { type InventoryDependencies } from './dependencies';
import { productUpdatedEvent } from './product-updated-event';

/** PUT of a product: creates it, or changes its name, price or stock, and announces the result. */
export function upsertProduct(
  deps: InventoryDependencies,
  details: ProductDetails,
): Promise<{ product: Product; created: boolean }> {
  return deps.transactions.run(async (tx) => {
    const created = await insertProductIfMissing(tx, details);
    const product = created ? newProduct(details) : changeProduct(await lockExisting(tx, details.sku), details);
    if (!created) await updateProductDetails(tx, product);
    return { result: { product, created }, events: [productUpdatedEvent(product)] };
  });
}

async function lockExisting(tx: Transaction, sku: string): Promise<Product> {
  const product = await lockProduct(tx, sku);
  // Products are never deleted, so one that just failed to insert exists.
  if (!product) throw new AppError('internal', `product ${sku} neither inserted nor found`);
  return product;
}
