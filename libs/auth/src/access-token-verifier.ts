import { AppError } from '@shopflow/errors';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { type AuthConfig } from './auth-config';
import { scopesOf, type Principal } from './principal';
import { VerifiedTokens } from './verified-tokens';

/**
 * Asymmetric algorithms only: the services hold no secret that could sign a token, and `none` or
 * an HMAC keyed with the public key (the classic confusion attack) is refused before any check.
 */
const ALGORITHMS = ['ES256', 'RS256'];

/** How long the provider's keys are kept before they are fetched again. */
const KEYS_MAX_AGE_MS = 10 * 60_000;

/**
 * Checks access tokens (JWTs) against the identity provider's published keys, with jose: the
 * signature, `iss`, `aud`, `exp`, `nbf` and `iat` (within the clock tolerance), and that `sub`
 * names someone. The keys are fetched once and cached; a token signed with a key not in the cache
 * (the provider rotated its keys) refetches them, at most every 30 s. A token verified lately is
 * not verified again (VerifiedTokens).
 */
export class AccessTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly verified = new VerifiedTokens(10_000);

  constructor(private readonly config: AuthConfig) {
    this.keys = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), {
      timeoutDuration: 5000,
      cooldownDuration: 30_000,
      cacheMaxAge: KEYS_MAX_AGE_MS,
    });
  }

  /** The token's principal; an AppError `unauthenticated` (401) for any token that proves nothing. */
  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const known = this.verified.get(token, now);
    if (known) return known;
    const { principal, expiresAtS } = await this.check(token);
    const expiresAtMs = (expiresAtS + this.config.AUTH_CLOCK_TOLERANCE_S) * 1000;
    this.verified.set(token, principal, Math.min(expiresAtMs, now + KEYS_MAX_AGE_MS));
    return principal;
  }

  private async check(token: string): Promise<{ principal: Principal; expiresAtS: number }> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.AUTH_ISSUER,
        audience: this.config.AUTH_AUDIENCE,
        algorithms: ALGORITHMS,
        clockTolerance: this.config.AUTH_CLOCK_TOLERANCE_S,
        requiredClaims: ['sub', 'exp'],
      });
      // requiredClaims made sure of `sub` and `exp`; jose refuses a `sub` that is not a string, an `exp` not a number.
      return {
        principal: { subject: String(payload.sub), scopes: scopesOf(payload['scope']) },
        expiresAtS: Number(payload.exp),
      };
    } catch (error) {
      throw rejection(error);
    }
  }
}

const invalidToken = (message: string, cause: unknown) =>
  new AppError('unauthenticated', message, { error: 'invalid_token' }, { cause });

/** What was wrong with the token, in words its holder can act on; the keys being out of reach is ours (503). */
function rejection(error: unknown): AppError {
  if (error instanceof errors.JWTExpired) return invalidToken('the access token has expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) return invalidToken(claimProblem(error), error);
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return invalidToken(`the access token must be signed with ${ALGORITHMS.join(' or ')}`, error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalidToken("the access token's signature does not verify", error);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return invalidToken('the access token is signed with a key the identity provider does not publish', error);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return invalidToken('the access token is malformed', error);
  }
  // The JWKS timed out, answered other than 200 or with no key set, or could not be reached.
  return new AppError(
    'unavailable',
    "the identity provider's keys cannot be fetched; try again later",
    {},
    {
      cause: error,
    },
  );
}

function claimProblem(error: InstanceType<typeof errors.JWTClaimValidationFailed>): string {
  switch (error.claim) {
    case 'nbf':
      return 'the access token is not valid yet';
    case 'iss':
      return 'the access token was issued by another identity provider';
    case 'aud':
      return 'the access token is meant for another audience';
    default:
      return `the access token's "${error.claim}" claim is invalid (${error.reason})`;
  }
}
