import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startIdentityProvider, type IdentityProvider } from '../src';

describe('SIGNING_KEY_FILE: the signing key kept across restarts', () => {
  let dir: string;
  const started: IdentityProvider[] = [];
  const start = async (signingKeyFile: string | undefined) => {
    const provider = await startIdentityProvider({ signingKeyFile, issuer: 'http://issuer.test' });
    started.push(provider);
    return provider;
  };
  const verify = (token: string, provider: IdentityProvider) =>
    jwtVerify(token, createRemoteJWKSet(new URL(provider.jwksUrl)), {
      issuer: provider.issuer,
      audience: provider.audience,
    });
  const kidOf = async (provider: IdentityProvider) =>
    ((await fetch(provider.jwksUrl).then((r) => r.json())) as { keys: { kid: string }[] }).keys[0]!.kid;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-provider-'));
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((provider) => provider.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes the file (folders too, readable by its owner only); a restart on it still verifies old tokens', async () => {
    const file = path.join(dir, 'nested/keys/signing-key.json');
    const first = await start(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String), alg: 'ES256' });
    const token = await first.token({ sub: 'alice' });
    const kid = await kidOf(first);
    await first.close();

    const again = await start(file);
    expect(await kidOf(again)).toBe(kid);
    await expect(verify(token, again)).resolves.toMatchObject({ payload: { sub: 'alice' } });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(stored);
  });

  it('another file, or none, is another key: the old tokens no longer verify', async () => {
    const first = await start(path.join(dir, 'a.json'));
    const token = await first.token({ sub: 'alice' });
    for (const other of [await start(path.join(dir, 'b.json')), await start(undefined)]) {
      expect(await kidOf(other)).not.toBe(await kidOf(first));
      await expect(verify(token, other)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    }
  });

  it.each([
    ['not JSON', 'not a key'],
    ['a public key only', JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'abc', y: 'def' })],
    ['an RSA key', JSON.stringify({ kty: 'RSA', n: 'abc', e: 'AQAB', d: 'xyz' })],
    ['a broken EC key', JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'abc', y: 'def', d: 'ghi' })],
  ])(
    'refuses to start on a file holding %s, naming the file and the fix, and leaves the file alone',
    async (_case, text) => {
      const file = path.join(dir, 'key.json');
      fs.writeFileSync(file, text);
      await expect(start(file)).rejects.toThrow(
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} holds no (usable )?ES256 private key.*delete it`),
      );
      expect(fs.readFileSync(file, 'utf8')).toBe(text);
    },
  );
});
