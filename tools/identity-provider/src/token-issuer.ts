import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { DURATION_EXAMPLES, parseDuration } from './duration';
import { SIGNING_ALGORITHM, type SigningKey } from './signing-key';

/** The scopes the services know; a token may carry others (a test of a refusal may want one). */
export const KNOWN_SCOPES = ['orders', 'catalog:write', 'admin'] as const;
export const DEFAULT_SCOPE = 'orders';
export const DEFAULT_TTL = '1h';
/** The `client_id` claim RFC 9068 requires: every token here is issued to the same development client. */
export const CLIENT_ID = 'shopflow-dev';

/** What a token is asked for with: POST /tokens's body, or `token()` in-process. */
export interface TokenRequest {
  /** Who the token speaks for (a customer id, say): 1 to 200 characters. */
  sub: string;
  /** Space-separated scopes; default `orders`. */
  scope?: string;
  /** Lifetime, e.g. `90s`, `15m`, `1h`, `7d`; default `1h`, cut to the provider's longest. */
  ttl?: string;
}

/** An RFC 6749 token response. */
export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds until it expires. */
  expires_in: number;
  scope: string;
}

/** The request is wrong: nothing was issued. Its message is the problem's `detail`. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
}

const FIELDS = ['sub', 'scope', 'ttl'];
/** RFC 6749 §3.3: a scope token is printable ASCII but space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export interface TokenIssuerSettings {
  key: SigningKey;
  issuer: string;
  audience: string;
  /** The longest lifetime, in seconds. */
  maxTtlSeconds: number;
}

/**
 * Signs JWT access tokens as RFC 9068 describes them (header `typ: at+jwt`; claims iss, sub, aud,
 * scope, client_id, iat, exp, jti) for whoever asks: there is no client authentication and no user
 * to log in, because this is a development tool. In production the services trust a real identity
 * provider instead (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE).
 */
export function tokenIssuer({ key, issuer, audience, maxTtlSeconds }: TokenIssuerSettings) {
  return async (request: unknown): Promise<IssuedToken> => {
    const { sub, scope, ttlSeconds } = readTokenRequest(request);
    const expiresIn = Math.min(ttlSeconds, maxTtlSeconds);
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({ scope, client_id: CLIENT_ID })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject(sub)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + expiresIn)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope };
  };
}

/** The request's subject, scopes (normalised to single spaces) and lifetime, or a TokenRequestError. */
function readTokenRequest(request: unknown): { sub: string; scope: string; ttlSeconds: number } {
  if (request === null || typeof request !== 'object' || Array.isArray(request))
    throw new TokenRequestError('the body must be a JSON object such as {"sub": "alice", "scope": "orders"}');
  const body = request as Record<string, unknown>;
  const unknown = Object.keys(body).filter((field) => !FIELDS.includes(field));
  if (unknown.length > 0)
    throw new TokenRequestError(
      `unknown field ${unknown.map((f) => `'${f}'`).join(', ')}: the body takes sub, scope and ttl`,
    );
  const { sub, scope = DEFAULT_SCOPE, ttl = DEFAULT_TTL } = body;
  if (typeof sub !== 'string' || sub.length < 1 || sub.length > 200)
    throw new TokenRequestError('sub must be a string of 1 to 200 characters: who the token speaks for');
  if (typeof scope !== 'string')
    throw new TokenRequestError(`scope must be a string of space-separated scopes, e.g. "${KNOWN_SCOPES.join(' ')}"`);
  const scopes = scope.split(' ').filter((s) => s !== '');
  if (scopes.length === 0)
    throw new TokenRequestError(`scope names no scope: leave it out for "${DEFAULT_SCOPE}", or name some`);
  const invalid = scopes.find((s) => !SCOPE_TOKEN.test(s));
  if (invalid !== undefined)
    throw new TokenRequestError(`scope ${JSON.stringify(invalid)} has a character a scope may not have`);
  const ttlSeconds = typeof ttl === 'string' ? parseDuration(ttl) : undefined;
  if (ttlSeconds === undefined)
    throw new TokenRequestError(`ttl must be a duration such as ${DURATION_EXAMPLES}, not ${JSON.stringify(ttl)}`);
  return { sub, scope: [...new Set(scopes)].join(' '), ttlSeconds };
}
