import { AppError } from '@shopflow/errors';
import { type OrderLine } from '../domain/order-lines';
import { type Product, type ProductDetails } from '../domain/product';
import { type Db, type Tx } from './prisma-client';

const PRODUCT_COLUMNS = { sku: true, name: true, price: true, currency: true, stock: true, reserved: true } as const;

export function listProducts(db: Db | Tx): Promise<Product[]> {
  return db.product.findMany({ select: PRODUCT_COLUMNS, orderBy: { sku: 'asc' } });
}

export async function findProduct(db: Db, sku: string): Promise<Product | undefined> {
  return (await db.product.findUnique({ where: { sku }, select: PRODUCT_COLUMNS })) ?? undefined;
}

/**
 * Locks the rows of the products that exist until the transaction ends. Every transaction locks
 * in the same (byte-wise sku) order, so two orders sharing products queue up instead of deadlocking.
 */
export function lockProducts(tx: Tx, skus: readonly string[]): Promise<Product[]> {
  return tx.$queryRaw<Product[]>`
    SELECT sku, name, price, currency, stock, reserved FROM products
    WHERE sku = ANY(${skus}::text[])
    ORDER BY sku COLLATE "C"
    FOR UPDATE`;
}

export async function lockProduct(tx: Tx, sku: string): Promise<Product | undefined> {
  const [product] = await lockProducts(tx, [sku]);
  return product;
}

/** True if inserted. A concurrent insert of the same sku waits for the other to commit, then inserts nothing. */
export async function insertProductIfMissing(tx: Tx, product: ProductDetails): Promise<boolean> {
  return (await insertMissingProducts(tx, [product])) === 1;
}

/** Inserts the products whose sku is new, leaving existing ones untouched; returns how many were inserted. */
export async function insertMissingProducts(tx: Tx, products: readonly ProductDetails[]): Promise<number> {
  const { count } = await tx.product.createMany({ data: [...products], skipDuplicates: true });
  return count;
}

export async function updateProductDetails(tx: Tx, product: ProductDetails): Promise<void> {
  const { sku, name, price, currency, stock } = product;
  await tx.product.update({ where: { sku }, data: { name, price, currency, stock } });
}

// The three moves of reserved units, each one UPDATE for all lines. Callers hold the rows' locks
// (lockProducts, taken in sku order; an UPDATE's own row order is the planner's choice). The CHECK
// constraints on products turn any oversell that slipped through into a failed transaction.
// Lines must name distinct skus (merged order lines, or a reservation's items): UPDATE ... FROM
// applies only one line per product row.

export async function reserveUnits(tx: Tx, lines: readonly OrderLine[]): Promise<void> {
  const { skus, quantities } = columnsOf(lines);
  const updated = await tx.$executeRaw`
    UPDATE products SET reserved = reserved + line.quantity, updated_at = now()
    FROM unnest(${skus}::text[], ${quantities}::int[]) AS line (sku, quantity)
    WHERE products.sku = line.sku`;
  expectAllUpdated(lines, updated);
}

export async function releaseUnits(tx: Tx, lines: readonly OrderLine[]): Promise<void> {
  const { skus, quantities } = columnsOf(lines);
  const updated = await tx.$executeRaw`
    UPDATE products SET reserved = reserved - line.quantity, updated_at = now()
    FROM unnest(${skus}::text[], ${quantities}::int[]) AS line (sku, quantity)
    WHERE products.sku = line.sku`;
  expectAllUpdated(lines, updated);
}

export async function sellUnits(tx: Tx, lines: readonly OrderLine[]): Promise<void> {
  const { skus, quantities } = columnsOf(lines);
  const updated = await tx.$executeRaw`
    UPDATE products SET stock = stock - line.quantity, reserved = reserved - line.quantity, updated_at = now()
    FROM unnest(${skus}::text[], ${quantities}::int[]) AS line (sku, quantity)
    WHERE products.sku = line.sku`;
  expectAllUpdated(lines, updated);
}

/** The lines as two parallel arrays, the shape unnest() takes them in. */
function columnsOf(lines: readonly OrderLine[]): { skus: string[]; quantities: number[] } {
  return { skus: lines.map((line) => line.sku), quantities: lines.map((line) => line.quantity) };
}

/** An unknown sku would otherwise be skipped in silence (a per-row Prisma update threw for it). */
function expectAllUpdated(lines: readonly OrderLine[], updated: number): void {
  if (updated !== lines.length) {
    throw new AppError('internal', `${updated} of ${lines.length} products updated: unknown or repeated sku`);
  }
}
