import { createEvent, InventoryProductUpdatedV1 } from '@shopflow/events';
import { SERVICE_NAME } from '../config';
import { available, type Product } from '../domain/product';

/** The catalog fact other services copy: what is on sale, at what price, and how many can be ordered. */
export function productUpdatedEvent(product: Product) {
  const { sku, name, price, currency } = product;
  return createEvent(
    InventoryProductUpdatedV1,
    { sku, name, price, currency, available: available(product) },
    { source: SERVICE_NAME },
  );
}
