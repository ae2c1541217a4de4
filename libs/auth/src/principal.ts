import { AppError } from '@shopflow/errors';
import { type Scope } from './scopes';

/** Who a request comes from, as its verified access token says. */
export interface Principal {
  /** The token's `sub`: for a customer, their customer id. */
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope);
}

/** The `scope` claim is one string of space-separated scopes (RFC 8693, RFC 9068). */
export function scopesOf(claim: unknown): ReadonlySet<string> {
  return new Set(typeof claim === 'string' ? claim.split(' ').filter(Boolean) : []);
}

const PRINCIPAL = 'principal';

/** Kept with the response (Express's per-request locals) by `authenticate`. */
export function setPrincipal(locals: Record<string, unknown>, principal: Principal): void {
  locals[PRINCIPAL] = principal;
}

/** The request's principal; a route outside `authenticate` is a wiring mistake, never the caller's. */
export function principalOf(locals: Record<string, unknown>): Principal {
  const principal = locals[PRINCIPAL] as Principal | undefined;
  if (!principal) throw new AppError('internal', 'the route is not behind authenticate()');
  return principal;
}
