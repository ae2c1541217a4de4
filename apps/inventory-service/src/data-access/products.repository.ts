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

// The three moves of reserved units. Callers hold the rows' locks (lockProducts); the CHECK
// constraints on products turn any oversell that slipped through into a failed transaction.

export async function reserveUnits(tx: Tx, lines: readonly OrderLine[]): Promise<void> {
  for (const { sku, quantity } of lines) {
    await tx.product.update({ where: { sku }, data: { reserved: { increment: quantity } } });
  }
}

export async function releaseUnits(tx: Tx, lines: readonly OrderLine[]): Promise<void> {
  for (const { sku, quantity } of lines) {
    await tx.product.update({ where: { sku }, data: { reserved: { decrement: quantity } } });
  }
}

export async function sellUnits(tx: Tx, lines: readonly OrderLine[]): Promise<void> {
  for (const { sku, quantity } of lines) {
    await tx.product.update({
      where: { sku },
      data: { stock: { decrement: quantity }, reserved: { decrement: quantity } },
    });
  }
}
