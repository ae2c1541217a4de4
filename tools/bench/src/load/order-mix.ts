import { randomUUID } from 'node:crypto';
import { must } from '../must';
import { type OrderRequest, type OrderStatus, type ShopApi } from './shop-api';

/** What an order is meant to show: a saga that confirms, or one of the two cancel paths. */
export type Scenario = 'confirm' | 'declined' | 'out-of-stock';

export const EXPECTED: Record<Scenario, { status: OrderStatus; reason: string | null }> = {
  confirm: { status: 'CONFIRMED', reason: null },
  declined: { status: 'CANCELLED', reason: 'payment_declined' },
  'out-of-stock': { status: 'CANCELLED', reason: 'out_of_stock' },
};

/**
 * Several stocked products, so reservations do not all queue on one product row's lock (a hot
 * item is a real pattern, but not the one this bench measures); one sold-out product.
 */
const STOCKED = Array.from({ length: 16 }, (_, i) => `BENCH-ITEM-${String(i + 1).padStart(2, '0')}`);
const SOLD_OUT = 'BENCH-SOLD-OUT';
/** Far more than any run orders: an order of the confirm path must never run out of stock. */
const STOCK = 10_000_000;

/** Creates the bench's products and waits until order-service's catalog copy has every one. */
export async function prepareCatalog(api: ShopApi, timeoutMs = 30_000): Promise<void> {
  for (const sku of STOCKED)
    await api.putProduct(sku, { name: `Bench item ${sku}`, price: 1000, currency: 'EUR', stock: STOCK });
  await api.putProduct(SOLD_OUT, { name: 'Bench sold-out item', price: 1000, currency: 'EUR', stock: 0 });
  const deadline = Date.now() + timeoutMs;
  for (const sku of [...STOCKED, SOLD_OUT]) {
    while (!(await api.catalogHas(sku))) {
      if (Date.now() > deadline) throw new Error(`order-service never learnt about ${sku} (inventory.product-updated)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Deals scenarios in a fixed, evenly spread pattern (not at random), so even a short run has the
 * configured shares: with 10 % declined, every tenth order is declined.
 */
export class OrderMix {
  private dealt = 0;
  private readonly given = { declined: 0, outOfStock: 0 };
  private readonly run = randomUUID().slice(0, 8);

  constructor(private readonly shares: { declined: number; outOfStock: number }) {}

  next(customer: number): { scenario: Scenario; request: OrderRequest } {
    this.dealt += 1;
    // How many of each the first `dealt` orders should hold (the epsilon absorbs 0.1 * 10 = 0.9999…).
    const due = (share: number) => Math.floor(this.dealt * share + 1e-9);
    let scenario: Scenario = 'confirm';
    if (this.given.declined < due(this.shares.declined)) {
      scenario = 'declined';
      this.given.declined += 1;
    } else if (this.given.outOfStock < due(this.shares.outOfStock)) {
      scenario = 'out-of-stock';
      this.given.outOfStock += 1;
    }
    const sku = scenario === 'out-of-stock' ? SOLD_OUT : must(STOCKED[this.dealt % STOCKED.length], 'stocked sku');
    return {
      scenario,
      request: {
        customerId: `bench-${this.run}-${customer}`,
        email: `bench-${customer}@example.com`,
        items: [{ sku, quantity: 1 }],
        paymentToken: scenario === 'declined' ? 'tok_declined' : 'tok_ok',
      },
    };
  }
}
