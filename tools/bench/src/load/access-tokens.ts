import { HttpClient } from './http-client';

/** Who a request comes from: the claims of the access token it carries. */
export interface Caller {
  sub: string;
  scope: string;
}

/** A customer, who places their orders. */
export const customerCaller = (customerId: string): Caller => ({ sub: customerId, scope: 'orders' });
/** The shop's staff, who stock the products the bench sells. */
export const STAFF: Caller = { sub: 'bench-staff', scope: 'catalog:write' };
/** Support, who may read any order: how the bench follows orders it cannot hear about from the broker. */
export const SUPPORT: Caller = { sub: 'bench-support', scope: 'admin' };

/**
 * Access tokens from an identity provider's token endpoint (tools/identity-provider's POST /tokens),
 * one per caller, as a client keeps its token until it expires: long enough for any run.
 */
export class AccessTokens {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    private readonly http: HttpClient,
    private readonly identityUrl: string,
  ) {}

  /** The request headers that authenticate `caller`. */
  async headers(caller: Caller): Promise<{ authorization: string }> {
    const key = `${caller.sub} ${caller.scope}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = this.fetch(caller);
      this.tokens.set(key, token);
      token.catch(() => this.tokens.delete(key));
    }
    return { authorization: `Bearer ${await token}` };
  }

  private async fetch(caller: Caller): Promise<string> {
    const res = await this.http
      .request<{ access_token?: string }>('POST', `${this.identityUrl}/tokens`, { ...caller, ttl: '12h' })
      .catch((error: Error) => {
        throw new Error(
          `no identity provider answers at ${this.identityUrl} (${error.message}): ` +
            'start the system with `npm start`, or name yours with --identity-url',
        );
      });
    if (res.status !== 201 || !res.body.access_token) {
      throw new Error(
        `the identity provider at ${this.identityUrl} refused a token: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
    return res.body.access_token;
  }
}
