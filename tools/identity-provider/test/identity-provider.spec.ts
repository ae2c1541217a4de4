import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startIdentityProvider, type IdentityProvider } from '../src';

describe('identity provider over HTTP', () => {
  let provider: IdentityProvider;
  beforeAll(async () => {
    provider = await startIdentityProvider({ maxTtl: '7d' });
  });
  afterAll(() => provider?.close());

  const post = async (body: unknown, raw = false) => {
    const res = await fetch(`${provider.url}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ? (body as string) : JSON.stringify(body),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      cache: res.headers.get('cache-control'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  /** The token checked as a service checks it: this provider's JWKS over HTTP, its issuer and audience. */
  const verify = (token: string, against = provider) =>
    jwtVerify(token, createRemoteJWKSet(new URL(against.jwksUrl)), {
      issuer: against.issuer,
      audience: against.audience,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });

  it('answers /health', async () => {
    const res = await fetch(`${provider.url}/health`);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('publishes its metadata under its issuer, and its public key in a JWKS that may be cached 5 minutes', async () => {
    const metadata = await fetch(`${provider.url}/.well-known/openid-configuration`).then((r) => r.json());
    expect(metadata).toMatchObject({
      issuer: provider.issuer,
      jwks_uri: provider.jwksUrl,
      token_endpoint: `${provider.url}/tokens`,
      scopes_supported: ['orders', 'catalog:write', 'admin'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
    const res = await fetch(provider.jwksUrl);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toEqual([
      {
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        kid: expect.any(String),
        alg: 'ES256',
        use: 'sig',
      },
    ]);
  });

  it('issues an RFC 9068 access token at POST /tokens that verifies against its JWKS, scope orders and 1 hour by default', async () => {
    const answer = await post({ sub: 'alice' });
    expect(answer).toMatchObject({
      status: 201,
      cache: 'no-store',
      body: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'orders' },
    });
    const token = answer.body['access_token'] as string;
    const { payload, protectedHeader } = await verify(token);
    const { keys } = (await fetch(provider.jwksUrl).then((r) => r.json())) as { keys: { kid: string }[] };
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: keys[0]!.kid, typ: 'at+jwt' });
    expect(payload).toEqual({
      iss: provider.issuer,
      sub: 'alice',
      aud: 'shopflow',
      scope: 'orders',
      client_id: 'shopflow-dev',
      iat: expect.any(Number),
      exp: payload.iat! + 3600,
      jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
    expect((await verify((await post({ sub: 'alice' })).body['access_token'] as string)).payload.jti).not.toBe(
      payload.jti,
    );
  });

  it('gives the scopes and lifetime asked for, cut to its longest lifetime', async () => {
    const answer = await post({ sub: 'ops-1', scope: ' catalog:write  admin orders admin', ttl: '90s' });
    expect(answer.body).toMatchObject({ expires_in: 90, scope: 'catalog:write admin orders' });
    const { payload } = await verify(answer.body['access_token'] as string);
    expect({ scope: payload['scope'], lifetime: payload.exp! - payload.iat! }).toEqual({
      scope: 'catalog:write admin orders',
      lifetime: 90,
    });
    const long = await post({ sub: 'ops-1', ttl: '30d' });
    expect(long.body['expires_in']).toBe(7 * 86_400);
    const { payload: capped } = await verify(long.body['access_token'] as string);
    expect(capped.exp! - capped.iat!).toBe(7 * 86_400);
  });

  it('signs in-process with token(), as POST /tokens does', async () => {
    const token = await provider.token({ sub: 'bob', scope: 'admin', ttl: '15m' });
    const { payload } = await verify(token);
    expect({ sub: payload.sub, scope: payload['scope'], lifetime: payload.exp! - payload.iat! }).toEqual({
      sub: 'bob',
      scope: 'admin',
      lifetime: 900,
    });
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
    await expect(provider.token({ sub: '' })).rejects.toThrow(/sub must be a string/);
  });

  it("signs with its own key: another provider's tokens, or this one's for another audience, do not verify", async () => {
    const other = await startIdentityProvider({ issuer: provider.issuer });
    try {
      await expect(verify(await other.token({ sub: 'mallory' }))).rejects.toMatchObject({
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
    } finally {
      await other.close();
    }
    const elsewhere = await startIdentityProvider({ audience: 'someone-else' });
    try {
      const token = await elsewhere.token({ sub: 'alice' });
      await expect(verify(token, { ...elsewhere, audience: 'shopflow' })).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'aud',
      });
      await expect(verify(token, elsewhere)).resolves.toBeDefined();
    } finally {
      await elsewhere.close();
    }
  });

  it.each([
    ['no sub', { scope: 'orders' }, /^sub must be/],
    ['an empty sub', { sub: '' }, /^sub must be/],
    ['a sub of 201 characters', { sub: 'x'.repeat(201) }, /^sub must be/],
    ['a sub that is no string', { sub: 42 }, /^sub must be/],
    ['a scope that is no string', { sub: 'a', scope: ['orders'] }, /^scope must be/],
    ['a scope naming none', { sub: 'a', scope: '  ' }, /^scope names no scope/],
    ['a scope with a quote', { sub: 'a', scope: 'orders "admin"' }, /^scope "\\"admin\\"" has a character/],
    ['a ttl that is no duration', { sub: 'a', ttl: 'soon' }, /^ttl must be a duration/],
    ['a ttl of 0s', { sub: 'a', ttl: '0s' }, /^ttl must be a duration/],
    ['an unknown field', { sub: 'a', scopes: 'admin' }, /^unknown field 'scopes'/],
    ['an array', [{ sub: 'a' }], /^the body must be a JSON object/],
  ])('answers 400 problem+json to %s, issuing nothing', async (_case, body, detail) => {
    const answer = await post(body);
    expect(answer).toEqual({
      status: 400,
      type: 'application/problem+json',
      cache: null,
      body: {
        type: 'urn:shopflow:problem:invalid_input',
        title: 'Invalid request',
        status: 400,
        detail: expect.stringMatching(detail),
      },
    });
  });

  it('answers 400 problem+json to a body that is not JSON', async () => {
    expect(await post('{"sub": "alice"', true)).toMatchObject({
      status: 400,
      type: 'application/problem+json',
      body: { status: 400, detail: expect.stringMatching(/^the body must be a JSON object/) },
    });
  });

  it('answers an unknown route 404 and a wrong method 405, as problems', async () => {
    const missing = await fetch(`${provider.url}/token`, { method: 'POST' });
    expect({ status: missing.status, type: missing.headers.get('content-type') }).toEqual({
      status: 404,
      type: 'application/problem+json',
    });
    const wrong = await fetch(`${provider.url}/tokens`);
    expect({ status: wrong.status, allow: wrong.headers.get('allow') }).toEqual({ status: 405, allow: 'POST' });
  });
});
