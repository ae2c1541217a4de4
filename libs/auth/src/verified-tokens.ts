import { type Principal } from './principal';

/**
 * Access tokens verified lately, by the token itself, with the principal each proved. A client
 * sends the same token with every request until it expires, and checking its signature again is
 * most of what authenticating a request costs (an ES256 verification through WebCrypto); Envoy's
 * jwt_authn keeps the same kind of cache (jwt_cache_config). An entry is trusted until the token
 * expires or, sooner, until the verifier's copy of the provider's keys would be refreshed, so a key
 * the provider withdraws stops being trusted no later than it would without the cache. The oldest
 * entry makes room for a new one once `capacity` is reached.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { principal: Principal; untilMs: number }>();

  constructor(private readonly capacity: number) {}

  /** The principal `token` proved, if it is still trusted at `nowMs`. */
  get(token: string, nowMs: number): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (nowMs < entry.untilMs) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, principal: Principal, untilMs: number): void {
    this.entries.delete(token);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { principal, untilMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
