import { AppError } from '@shopflow/errors';
import { eventually, freePort } from '@shopflow/testing';
import { generateKeyPair, SignJWT } from 'jose';
import { AccessTokenVerifier } from '../src/access-token-verifier';
import { AUDIENCE, ISSUER, JwksServer } from './jwks-server';

const config = (jwksUrl: string) => ({
  AUTH_JWKS_URL: jwksUrl,
  AUTH_ISSUER: ISSUER,
  AUTH_AUDIENCE: AUDIENCE,
  AUTH_CLOCK_TOLERANCE_S: 30,
});

/** The AppError a token is refused with. */
async function refusal(verifier: AccessTokenVerifier, token: string): Promise<AppError> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('AccessTokenVerifier, against a JWKS over HTTP', () => {
  let jwks: JwksServer;
  let verifier: AccessTokenVerifier;

  beforeAll(async () => {
    jwks = await JwksServer.start();
    verifier = new AccessTokenVerifier(config(jwks.url));
  });
  afterAll(() => jwks.close());

  it('turns a valid token into its subject and scopes, fetching the keys once', async () => {
    const before = jwks.requests;
    const principal = await verifier.verify(await jwks.sign({ sub: 'alice', scope: 'orders  admin' }));
    expect(principal.subject).toBe('alice');
    expect([...principal.scopes]).toEqual(['orders', 'admin']);
    await verifier.verify(await jwks.sign({ sub: 'bob', scope: undefined }));
    expect(jwks.requests - before).toBeLessThanOrEqual(1);
  });

  it('accepts a token that expired within the clock tolerance, and refuses one past it', async () => {
    await expect(verifier.verify(await jwks.sign({}, { expiresInS: -20 }))).resolves.toMatchObject({
      subject: 'customer-1',
    });
    const expired = await refusal(verifier, await jwks.sign({}, { expiresInS: -40 }));
    expect(expired).toMatchObject({ kind: 'unauthenticated', message: 'the access token has expired' });
    expect(expired.details).toEqual({ error: 'invalid_token' });
  });

  it.each([
    ['not valid yet', { nbf: now() + 120 }, 'the access token is not valid yet'],
    ['from another issuer', { iss: 'https://evil.test/' }, 'the access token was issued by another identity provider'],
    ['for another audience', { aud: 'billing' }, 'the access token is meant for another audience'],
    ['naming nobody', { sub: undefined }, 'the access token\'s "sub" claim is invalid (missing)'],
    ['without an expiry', { exp: undefined }, 'the access token\'s "exp" claim is invalid (missing)'],
  ])('refuses a token %s', async (_case, claims, message) => {
    expect(await refusal(verifier, await jwks.sign(claims))).toMatchObject({ kind: 'unauthenticated', message });
  });

  it('refuses a token signed by another key under the same key id', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expect(await refusal(verifier, await jwks.sign({}, { key: privateKey }))).toMatchObject({
      kind: 'unauthenticated',
      message: "the access token's signature does not verify",
    });
  });

  it('refuses a token signed with a key the provider does not publish', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expect(await refusal(verifier, await jwks.sign({}, { key: privateKey, kid: 'key-9' }))).toMatchObject({
      kind: 'unauthenticated',
      message: 'the access token is signed with a key the identity provider does not publish',
    });
  });

  it('refuses an unsigned token (alg none) and an HMAC one', async () => {
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'mallory', scope: 'admin', exp: now() + 300 };
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: jwks.kid })
      .sign(new TextEncoder().encode('a secret the services never agreed to'));
    for (const token of [unsigned, hmac]) {
      expect(await refusal(verifier, token)).toMatchObject({
        kind: 'unauthenticated',
        message: 'the access token must be signed with ES256 or RS256',
      });
    }
  });

  it.each(['abc', 'a.b.c', `${base64url({ alg: 'ES256' })}.${base64url({ sub: 'x' })}`])(
    'refuses a malformed token %s',
    async (t) => {
      expect(await refusal(verifier, t)).toMatchObject({
        kind: 'unauthenticated',
        message: 'the access token is malformed',
      });
    },
  );

  it("answers 503 (unavailable), not 401, while the provider's keys cannot be fetched", async () => {
    const offline = new AccessTokenVerifier(config(`http://127.0.0.1:${await freePort()}/.well-known/jwks.json`));
    expect(await refusal(offline, await jwks.sign())).toMatchObject({ kind: 'unavailable' });
  });

  it('still refuses a token it verified before, once that token has expired', async () => {
    const strict = new AccessTokenVerifier({ ...config(jwks.url), AUTH_CLOCK_TOLERANCE_S: 0 });
    const shortLived = await jwks.sign({ sub: 'brief' }, { expiresInS: 2 });
    await expect(strict.verify(shortLived)).resolves.toMatchObject({ subject: 'brief' });
    await expect(strict.verify(shortLived)).resolves.toMatchObject({ subject: 'brief' });
    await eventually(
      async () => expect((await refusal(strict, shortLived)).message).toBe('the access token has expired'),
      { timeoutMs: 10_000, message: 'the expired token refused' },
    );
  });
});
