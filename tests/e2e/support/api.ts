import { eventually } from '@shopflow/testing';
import { type System } from './system';

/** Who calls: the claims of the access token a client got from the identity provider. */
export interface Caller {
  sub: string;
  scope: string;
}

/** A customer, who places orders and reads their own. */
export const customerCaller = (customerId: string): Caller => ({ sub: customerId, scope: 'orders' });
/** The shop's staff, who set products' prices and stock. */
export const STAFF: Caller = { sub: 'e2e-staff', scope: 'catalog:write' };
/** Support and operations, who read any order, payment and e-mail. */
export const SUPPORT: Caller = { sub: 'e2e-support', scope: 'admin' };

export interface Order {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  reason: string | null;
  items: { sku: string; quantity: number }[];
  total: { amount: number; currency: string };
  timeline: { step: string; at: string }[];
}

export interface Product {
  sku: string;
  name: string;
  price: number;
  currency: string;
  stock: number;
  reserved: number;
}

export interface OrderRequest {
  customerId: string;
  email: string;
  items: { sku: string; quantity: number }[];
  paymentToken: string;
}

async function json<T>(response: Response, expected: number): Promise<T> {
  const text = await response.text();
  if (response.status !== expected) throw new Error(`expected ${expected}, got ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Lists from our APIs are arrays or `{ items }`. */
const items = <T>(body: T[] | { items: T[] }): T[] => (Array.isArray(body) ? body : body.items);

/**
 * Talks to the services only through their public REST APIs, as a client would: with an access
 * token from the system's identity provider for each caller (a customer for their orders, the
 * staff for products, support for payments and e-mails).
 */
export class Api {
  private readonly tokens = new Map<string, Promise<string>>();
  /** Who placed each order: the customer then reads it, as in a shop. */
  private readonly placedBy = new Map<string, string>();

  constructor(private readonly system: System) {}

  private url(service: Parameters<System['url']>[0], path: string) {
    return `${this.system.url(service)}${path}`;
  }

  /** `Authorization: Bearer <token>` for the caller; one token per caller (they last an hour). */
  async authorization(caller: Caller): Promise<{ authorization: string }> {
    const key = `${caller.sub} ${caller.scope}`;
    let token = this.tokens.get(key);
    if (!token) this.tokens.set(key, (token = this.system.identity.token(caller)));
    return { authorization: `Bearer ${await token}` };
  }

  private async get(service: Parameters<System['url']>[0], path: string, caller: Caller): Promise<Response> {
    return fetch(this.url(service, path), { headers: await this.authorization(caller) });
  }

  /** POST /orders as the customer the body names (else as `as`). */
  async postOrder(body: unknown, headers: Record<string, string> = {}, as?: Caller): Promise<Response> {
    const named = (body as { customerId?: unknown } | null)?.customerId;
    const caller = as ?? customerCaller(typeof named === 'string' ? named : 'e2e-customer');
    const res = await fetch(this.url('order-service', '/orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await this.authorization(caller)), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.status === 201) this.placedBy.set(res.headers.get('location')?.split('/').pop() ?? '', caller.sub);
    return res;
  }

  async placeOrder(body: OrderRequest, headers: Record<string, string> = {}): Promise<Order> {
    return json<Order>(await this.postOrder(body, headers), 201);
  }

  /** GET /orders/:id as the customer who placed it, or as support for an order placed elsewhere. */
  async order(id: string, as?: Caller): Promise<Order> {
    const customer = this.placedBy.get(id);
    const caller = as ?? (customer ? customerCaller(customer) : SUPPORT);
    return json<Order>(await this.get('order-service', `/orders/${id}`, caller), 200);
  }

  /** The customer's own orders, as they see them. */
  async ordersOf(customerId: string): Promise<Order[]> {
    return items(await json(await this.get('order-service', '/orders', customerCaller(customerId)), 200));
  }

  /** Polls the order until it is CONFIRMED or CANCELLED. */
  finalOrder(id: string, timeoutMs = 30_000): Promise<Order> {
    return eventually(
      async () => {
        const order = await this.order(id);
        if (order.status === 'PENDING') throw new Error(`order ${id} still PENDING: ${JSON.stringify(order.timeline)}`);
        return order;
      },
      { timeoutMs, intervalMs: 100, message: `order ${id} reached no final state` },
    );
  }

  async product(sku: string): Promise<Product> {
    return json<Product>(await this.get('inventory-service', `/products/${sku}`, STAFF), 200);
  }

  /** Creates a product with a unique sku and waits until order-service's catalog copy has it. */
  async newProduct(stock: number, price = 1500): Promise<Product> {
    const sku = `E2E-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
    const res = await fetch(this.url('inventory-service', `/products/${sku}`), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(await this.authorization(STAFF)) },
      body: JSON.stringify({ name: `Test product ${sku}`, price, currency: 'EUR', stock }),
    });
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`PUT /products/${sku}: ${res.status} ${await res.text()}`);
    await eventually(async () => (await this.get('order-service', `/catalog/${sku}`, STAFF)).status === 200, {
      message: `order-service never learnt about ${sku}`,
    });
    return this.product(sku);
  }

  async payments(orderId: string): Promise<{ status: string; amount: number }[]> {
    return items(await json(await this.get('payment-service', `/payments?orderId=${orderId}`, SUPPORT), 200));
  }

  /** Every e-mail of the order, one being sent too (`sentAt` null until the relay accepted it). */
  async notifications(orderId: string): Promise<{ template: string; to: string; sentAt: string | null }[]> {
    return items(await json(await this.get('notification-service', `/notifications?orderId=${orderId}`, SUPPORT), 200));
  }
}

export const customer = () => {
  const id = crypto.randomUUID().slice(0, 8);
  return { customerId: `customer-${id}`, email: `buyer-${id}@example.com` };
};
