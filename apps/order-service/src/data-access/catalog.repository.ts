import { sql, type SqlClient, type Transaction } from '@shopflow/postgres';
import { type CatalogPrice } from '../domain/pricing';

export interface CatalogProduct extends CatalogPrice {
  name: string;
  available: number;
}

export async function findPrices(db: SqlClient, skus: readonly string[]): Promise<Map<string, CatalogPrice>> {
  const rows = await db.query<CatalogPrice>(sql`
    SELECT sku, price, currency FROM catalog_products WHERE sku = ANY(${skus}::text[])`);
  return new Map(rows.map((row) => [row.sku, row]));
}

/**
 * Writes the product unless the stored row comes from a later update: events may arrive out of order.
 * One statement, so two updates of a new sku handled at once cannot both insert. Returns whether it wrote.
 */
export async function upsertProductIfNewer(
  tx: Transaction,
  product: CatalogProduct,
  updatedAt: Date,
): Promise<boolean> {
  const written = await tx.execute(sql`
    INSERT INTO catalog_products (sku, name, price, currency, available, updated_at)
    VALUES (${product.sku}, ${product.name}, ${product.price}::int, ${product.currency}, ${product.available}::int,
            ${updatedAt}::timestamptz)
    ON CONFLICT (sku) DO UPDATE
      SET name = EXCLUDED.name, price = EXCLUDED.price, currency = EXCLUDED.currency,
          available = EXCLUDED.available, updated_at = EXCLUDED.updated_at
      WHERE catalog_products.updated_at < EXCLUDED.updated_at`);
  return written === 1;
}

export function listCatalog(db: SqlClient): Promise<CatalogProduct[]> {
  return db.query<CatalogProduct>(sql`SELECT ${CATALOG_COLUMNS} FROM catalog_products ORDER BY sku`);
}

export async function findCatalogProduct(db: SqlClient, sku: string): Promise<CatalogProduct | undefined> {
  const rows = await db.query<CatalogProduct>(sql`SELECT ${CATALOG_COLUMNS} FROM catalog_products WHERE sku = ${sku}`);
  return rows[0];
}

/** In the order the API has always shown them (the JSON keys follow the column order). */
const CATALOG_COLUMNS = sql`sku, name, price, currency, available`;
