import { type Money } from '@shopflow/events';

export interface RequestedItem {
  sku: string;
  quantity: number;
}

export interface CatalogPrice {
  sku: string;
  /** Minor units of `currency`. */
  price: number;
  currency: string;
}

export interface PricedLine {
  sku: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export type Pricing =
  | { ok: true; lines: PricedLine[]; total: Money }
  | { ok: false; problem: 'unknown_skus'; skus: string[] }
  | { ok: false; problem: 'mixed_currencies'; currencies: string[] }
  | { ok: false; problem: 'total_too_large'; limit: number };

/** Amounts are stored as 32-bit integers of minor units. */
export const MAX_AMOUNT = 2_147_483_647;

/** One line per sku, quantities of repeated skus added up, in the order the skus first appear. */
export function mergeItems(items: readonly RequestedItem[]): RequestedItem[] {
  const merged = new Map<string, number>();
  for (const { sku, quantity } of items) merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}

/** Prices merged items from the catalog: every sku must be known and every price in the same currency. */
export function priceItems(items: readonly RequestedItem[], catalog: ReadonlyMap<string, CatalogPrice>): Pricing {
  const unknown = items.filter((item) => !catalog.has(item.sku)).map((item) => item.sku);
  if (unknown.length > 0) return { ok: false, problem: 'unknown_skus', skus: unknown };

  const lines = items.map(({ sku, quantity }) => {
    const { price, currency } = catalog.get(sku) as CatalogPrice;
    return { sku, quantity, unitPrice: { amount: price, currency }, lineTotal: { amount: price * quantity, currency } };
  });
  const currencies = [...new Set(lines.map((line) => line.unitPrice.currency))];
  if (currencies.length > 1) return { ok: false, problem: 'mixed_currencies', currencies };

  const amount = lines.reduce((sum, line) => sum + line.lineTotal.amount, 0);
  if (amount > MAX_AMOUNT) return { ok: false, problem: 'total_too_large', limit: MAX_AMOUNT };
  return { ok: true, lines, total: { amount, currency: currencies[0] as string } };
}
