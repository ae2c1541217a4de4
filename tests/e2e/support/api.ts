import { eventually } from '@shopflow/testing';
import { type System } from './system';

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

/** Talks to the services only through their public REST APIs, as a client would. */
export class Api {
  constructor(private readonly system: System) {}

  private url(service: Parameters<System['url']>[0], path: string) {
    return `${this.system.url(service)}${path}`;
  }

  postOrder(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url('order-service', '/orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async placeOrder(body: OrderRequest, headers: Record<string, string> = {}): Promise<Order> {
    return json<Order>(await this.postOrder(body, headers), 201);
  }

  async order(id: string): Promise<Order> {
    return json<Order>(await fetch(this.url('order-service', `/orders/${id}`)), 200);
  }

  async ordersOf(customerId: string): Promise<Order[]> {
    return items(
      await json(await fetch(this.url('order-service', `/orders?customerId=${encodeURIComponent(customerId)}`)), 200),
    );
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
    return json<Product>(await fetch(this.url('inventory-service', `/products/${sku}`)), 200);
  }

  /** Creates a product with a unique sku and waits until order-service's catalog copy has it. */
  async newProduct(stock: number, price = 1500): Promise<Product> {
    const sku = `E2E-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
    const res = await fetch(this.url('inventory-service', `/products/${sku}`), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Test product ${sku}`, price, currency: 'EUR', stock }),
    });
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`PUT /products/${sku}: ${res.status} ${await res.text()}`);
    await eventually(async () => (await fetch(this.url('order-service', `/catalog/${sku}`))).status === 200, {
      message: `order-service never learnt about ${sku}`,
    });
    return this.product(sku);
  }

  async payments(orderId: string): Promise<{ status: string; amount: number }[]> {
    return items(await json(await fetch(this.url('payment-service', `/payments?orderId=${orderId}`)), 200));
  }

  /** Every e-mail of the order, one being sent too (`sentAt` null until the relay accepted it). */
  async notifications(orderId: string): Promise<{ template: string; to: string; sentAt: string | null }[]> {
    return items(await json(await fetch(this.url('notification-service', `/notifications?orderId=${orderId}`)), 200));
  }
}

export const customer = () => {
  const id = crypto.randomUUID().slice(0, 8);
  return { customerId: `customer-${id}`, email: `buyer-${id}@example.com` };
};
