export interface OrderLine {
  sku: string;
  quantity: number;
}

export const bySku = (a: { sku: string }, b: { sku: string }): number => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

/** One line per sku, in sku order, whatever the order listed (the same sku may appear twice). */
export function mergeLines(lines: readonly OrderLine[]): OrderLine[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity })).sort(bySku);
}
