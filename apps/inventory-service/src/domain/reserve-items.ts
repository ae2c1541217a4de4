import { type RESERVATION_FAILURE_REASONS } from '@shopflow/events';
import { mergeLines, type OrderLine } from './order-lines';
import { available, type Product } from './product';

export type ReservationFailureReason = (typeof RESERVATION_FAILURE_REASONS)[number];

export interface ShortLine {
  sku: string;
  requested: number;
  available: number;
}

export type ReservationDecision =
  | { outcome: 'reserved'; items: OrderLine[] }
  | { outcome: 'rejected'; reason: ReservationFailureReason; items: ShortLine[] };

/**
 * All or nothing: every line must name a known product with enough available units, or
 * nothing is reserved. Unknown items are reported before shortages: no restock fixes them.
 */
export function reserveItems(
  products: readonly Pick<Product, 'sku' | 'stock' | 'reserved'>[],
  lines: readonly OrderLine[],
): ReservationDecision {
  const requested = mergeLines(lines);
  const stock = new Map(products.map((product) => [product.sku, available(product)]));

  const unknown = requested.filter((line) => !stock.has(line.sku));
  if (unknown.length > 0) {
    return {
      outcome: 'rejected',
      reason: 'unknown_item',
      items: unknown.map((line) => ({ sku: line.sku, requested: line.quantity, available: 0 })),
    };
  }

  const short = requested
    .map((line) => ({ sku: line.sku, requested: line.quantity, available: stock.get(line.sku) ?? 0 }))
    .filter((line) => line.available < line.requested);
  if (short.length > 0) return { outcome: 'rejected', reason: 'out_of_stock', items: short };

  return { outcome: 'reserved', items: requested };
}
