import { AppError } from '@shopflow/errors';
import { type RequestHandler } from 'express';
import { type AccessTokenVerifier } from './access-token-verifier';
import { principalOf, setPrincipal } from './principal';
import { type Scope } from './scopes';

/** RFC 6750's b64token: what a bearer token may be made of. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Every request through here carries a valid access token (`Authorization: Bearer <JWT>`), or is
 * answered 401 with a `WWW-Authenticate: Bearer` challenge and goes no further.
 */
export function authenticate(verifier: AccessTokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const token = header?.match(BEARER)?.[1];
    if (!token) {
      // No bearer credentials at all: the challenge carries no error code (RFC 6750, 3.1).
      throw new AppError(
        'unauthenticated',
        header ? 'the Authorization header must be "Bearer <access token>"' : 'an access token is required',
      );
    }
    setPrincipal(res.locals, await verifier.verify(token));
    next();
  };
}

/** Lets through a caller whose token has at least one of `anyOf`; 403 for the others. */
export function requireScope(...anyOf: Scope[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res.locals);
    if (!anyOf.some((scope) => principal.scopes.has(scope))) {
      throw new AppError('forbidden', `this needs an access token with the scope ${anyOf.join(' or ')}`, {
        error: 'insufficient_scope',
        requiredScopes: anyOf,
      });
    }
    next();
  };
}

/**
 * The `WWW-Authenticate` header that answers an authentication or scope failure (RFC 6750, 3):
 * a 401 always has one; a 403 for a missing scope names the scopes.
 */
export function bearerChallenge(error: AppError): string | undefined {
  const code = error.details['error'];
  if (error.kind !== 'unauthenticated' && code !== 'insufficient_scope') return undefined;
  const params = ['realm="shopflow"'];
  if (typeof code === 'string') params.push(`error="${code}"`, `error_description="${quotable(error.message)}"`);
  const scopes = error.details['requiredScopes'];
  if (Array.isArray(scopes)) params.push(`scope="${scopes.join(' ')}"`);
  return `Bearer ${params.join(', ')}`;
}

/** RFC 6750 allows only printable ASCII without `"` and `\` inside a quoted attribute. */
const quotable = (text: string) => text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "'");
