import { AppError } from '@shopflow/errors';

export interface Product {
  sku: string;
  name: string;
  /** Integer minor units (cents) of `currency`. */
  price: number;
  currency: string;
  stock: number;
  /** Units promised to orders that are neither confirmed nor cancelled yet. */
  reserved: number;
}

/** What a client sets on a product; `reserved` only ever changes through orders. */
export type ProductDetails = Omit<Product, 'reserved'>;

/** What can still be promised to new orders. */
export const available = (product: Pick<Product, 'stock' | 'reserved'>): number => product.stock - product.reserved;

export const newProduct = (details: ProductDetails): Product => ({ ...details, reserved: 0 });

/** Anything may change, but stock may not drop below what orders already hold. */
export function changeProduct(current: Product, details: ProductDetails): Product {
  if (details.stock < current.reserved) {
    throw new AppError(
      'conflict',
      `stock ${details.stock} is below the ${current.reserved} units of ${current.sku} reserved for orders`,
      { sku: current.sku, reserved: current.reserved },
    );
  }
  return { ...details, reserved: current.reserved };
}
