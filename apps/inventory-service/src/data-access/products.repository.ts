import { AppError } from '@shopflow/errors';
import { sql, type SqlClient, type Transaction } from '@shopflow/postgres';
import { type OrderLine } from '../domain/order-lines';
import { type Product, type ProductDetails } from '../domain/product';

// Every column is text or int4, which node-postgres returns as string and number: rows are Products as they are.
const PRODUCT_COLUMNS = sql`sku, name, price, currency, stock, reserved`;

export function listProducts(db: SqlClient): Promise<Product[]> {
  return db.query<Product>(sql`SELECT ${PRODUCT_COLUMNS} FROM products ORDER BY sku`);
}

export async function findProduct(db: SqlClient, sku: string): Promise<Product | undefined> {
  const [product] = await db.query<Product>(sql`SELECT ${PRODUCT_COLUMNS} FROM products WHERE sku = ${sku}`);
  return product;
}

/**
 * Locks the rows of the products that exist until the transaction ends. Every transaction locks
 * in the same (byte-wise sku) order, so two orders sharing products queue up instead of deadlocking.
 */
export function lockProducts(tx: Transaction, skus: readonly string[]): Promise<Product[]> {
  return tx.query<Product>(sql`
    SELECT ${PRODUCT_COLUMNS} FROM products
    WHERE sku = ANY(${skus}::text[])
    ORDER BY sku COLLATE "C"
    FOR UPDATE`);
}

export async function lockProduct(tx: Transaction, sku: string): Promise<Product | undefined> {
  const [product] = await lockProducts(tx, [sku]);
  return product;
}

/** True if inserted. A concurrent insert of the same sku waits for the other to commit, then inserts nothing. */
export async function insertProductIfMissing(tx: Transaction, product: ProductDetails): Promise<boolean> {
  return (await insertMissingProducts(tx, [product])) === 1;
}

/** Inserts the products whose sku is new, leaving existing ones untouched; returns how many were inserted. */
export function insertMissingProducts(tx: Transaction, products: readonly ProductDetails[]): Promise<number> {
  // reserved and created_at take their column defaults; updated_at has none.
  return tx.execute(sql`
    INSERT INTO products (sku, name, price, currency, stock, updated_at)
    SELECT product.sku, product.name, product.price, product.currency, product.stock, now()
    FROM unnest(
      ${products.map((p) => p.sku)}::text[],
      ${products.map((p) => p.name)}::text[],
      ${products.map((p) => p.price)}::int[],
      ${products.map((p) => p.currency)}::text[],
      ${products.map((p) => p.stock)}::int[]
    ) AS product (sku, name, price, currency, stock)
    ON CONFLICT (sku) DO NOTHING`);
}

export async function updateProductDetails(tx: Transaction, product: ProductDetails): Promise<void> {
  const { sku, name, price, currency, stock } = product;
  const updated = await tx.execute(sql`
    UPDATE products SET name = ${name}, price = ${price}, currency = ${currency}, stock = ${stock}, updated_at = now()
    WHERE sku = ${sku}`);
  if (updated !== 1) throw new AppError('internal', `product ${sku} not found for update`);
}

// The three moves of reserved units. Each is one statement, sent without waiting (Transaction.send):
// nothing reads its answer, and a failure is reported by the unit's next awaited statement.
// - It first locks the lines' product rows in the same (byte-wise sku) order as lockProducts: an
//   UPDATE's own row order is the planner's choice, and two orders sharing products would deadlock.
// - The CHECK constraints on products turn any oversell that slipped through into a failed transaction.
// - Lines must name distinct, existing skus (merged order lines that lockProducts found, or a
//   reservation's items, which a foreign key keeps pointing at products): UPDATE ... FROM applies
//   one line per product row, and a missing row would be skipped without a word.
const MOVES = {
  reserve: sql`reserved = reserved + line.quantity`,
  release: sql`reserved = reserved - line.quantity`,
  sell: sql`stock = stock - line.quantity, reserved = reserved - line.quantity`,
} as const;

export function moveUnits(tx: Transaction, move: keyof typeof MOVES, lines: readonly OrderLine[]): void {
  const skus = lines.map((line) => line.sku);
  const quantities = lines.map((line) => line.quantity);
  tx.sendWithoutWaiting(sql`
    WITH locked AS MATERIALIZED (
      SELECT sku FROM products WHERE sku = ANY(${skus}::text[]) ORDER BY sku COLLATE "C" FOR UPDATE
    )
    UPDATE products SET ${MOVES[move]}, updated_at = now()
    FROM locked JOIN unnest(${skus}::text[], ${quantities}::int[]) AS line (sku, quantity) ON line.sku = locked.sku
    WHERE products.sku = locked.sku`);
}
