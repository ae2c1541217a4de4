import { AccessTokens, customerCaller, STAFF, SUPPORT } from './access-tokens';
import { HttpClient } from './http-client';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

/** GET /orders/:id, as far as the bench reads it (apps/order-service/src/http/order-json.ts). */
export interface OrderJson {
  id: string;
  status: OrderStatus;
  reason: string | null;
  createdAt: string;
  timeline: { step: string; at: string; detail?: string }[];
}

export interface OrderRequest {
  customerId: string;
  email: string;
  items: { sku: string; quantity: number }[];
  paymentToken: string;
}

/**
 * The system's public REST APIs, as a client sees them, with access tokens from the identity
 * provider at `identityUrl`: each customer places orders with their own token, the staff stocks
 * the products. Order requests go round-robin over order-service replicas.
 */
export class ShopApi {
  private readonly http = new HttpClient();
  private readonly tokens: AccessTokens;
  private next = 0;

  constructor(
    private orderUrls: string[],
    private readonly inventoryUrl: string,
    identityUrl: string,
  ) {
    this.tokens = new AccessTokens(this.http, identityUrl);
  }

  /** After a scaling step: spread the load over the new set of order-service replicas. */
  useOrderUrls(urls: string[]): void {
    this.orderUrls = urls;
  }

  private orderUrl(): string {
    const url = this.orderUrls[this.next++ % this.orderUrls.length];
    if (!url) throw new Error('no order-service URL');
    return url;
  }

  async placeOrder(request: OrderRequest) {
    const headers = await this.tokens.headers(customerCaller(request.customerId));
    return this.http.request<OrderJson>('POST', `${this.orderUrl()}/orders`, request, headers);
  }

  async order(id: string) {
    return this.http.request<OrderJson>(
      'GET',
      `${this.orderUrl()}/orders/${id}`,
      undefined,
      await this.tokens.headers(SUPPORT),
    );
  }

  /** Creates or restocks a product (PUT is an upsert). */
  async putProduct(sku: string, details: { name: string; price: number; currency: string; stock: number }) {
    const headers = await this.tokens.headers(STAFF);
    const res = await this.http.request('PUT', `${this.inventoryUrl}/products/${sku}`, details, headers);
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`PUT /products/${sku}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** True once order-service's catalog copy has the product (it learns it from inventory.product-updated). */
  async catalogHas(sku: string): Promise<boolean> {
    const headers = await this.tokens.headers(STAFF);
    return (await this.http.request('GET', `${this.orderUrl()}/catalog/${sku}`, undefined, headers)).status === 200;
  }

  close(): void {
    this.http.close();
  }
}
