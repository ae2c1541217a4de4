import { createHash } from 'node:crypto';
import { mergeItems, type RequestedItem } from './pricing';

export interface OrderRequest {
  customerId: string;
  email: string;
  items: RequestedItem[];
  paymentToken: string;
}

/**
 * Fingerprint of what a request asks for, to tell an idempotent replay from a reused key: key order,
 * item order and split quantities of one sku do not change the order placed, so they do not change the hash.
 */
export function requestHash(request: OrderRequest): string {
  const items = mergeItems(request.items).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  const canonical = JSON.stringify([
    request.customerId,
    request.email,
    request.paymentToken,
    items.map((i) => [i.sku, i.quantity]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
