import { type CatalogPrice } from '../domain/pricing';
import { type Db, type Tx } from './prisma-client';

export interface CatalogProduct extends CatalogPrice {
  name: string;
  available: number;
}

export async function findPrices(tx: Tx, skus: readonly string[]): Promise<Map<string, CatalogPrice>> {
  const rows = await tx.catalogProduct.findMany({
    where: { sku: { in: [...skus] } },
    select: { sku: true, price: true, currency: true },
  });
  return new Map(rows.map((row) => [row.sku, row]));
}

/**
 * Writes the product unless the stored row comes from a later update: events may arrive out of order.
 * One statement, so two updates of a new sku handled at once cannot both insert. Returns whether it wrote.
 */
export async function upsertProductIfNewer(tx: Tx, product: CatalogProduct, updatedAt: Date): Promise<boolean> {
  const written = await tx.$executeRaw`
    INSERT INTO catalog_products (sku, name, price, currency, available, updated_at)
    VALUES (${product.sku}, ${product.name}, ${product.price}::int, ${product.currency}, ${product.available}::int,
            ${updatedAt}::timestamptz)
    ON CONFLICT (sku) DO UPDATE
      SET name = EXCLUDED.name, price = EXCLUDED.price, currency = EXCLUDED.currency,
          available = EXCLUDED.available, updated_at = EXCLUDED.updated_at
      WHERE catalog_products.updated_at < EXCLUDED.updated_at`;
  return written === 1;
}

export function listCatalog(db: Db): Promise<CatalogProduct[]> {
  return db.catalogProduct.findMany({ select: CATALOG_FIELDS, orderBy: { sku: 'asc' } });
}

export function findCatalogProduct(db: Db, sku: string): Promise<CatalogProduct | null> {
  return db.catalogProduct.findUnique({ where: { sku }, select: CATALOG_FIELDS });
}

const CATALOG_FIELDS = { sku: true, name: true, price: true, currency: true, available: true } as const;
