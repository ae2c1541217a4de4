import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { freePort, runToExit } from '@shopflow/testing';
import { IdentityProviderProcess } from '../src';

describe('IdentityProviderProcess: dist/main.js as its own OS process', () => {
  let dir: string;
  const started: IdentityProviderProcess[] = [];
  const start = async (env?: Record<string, string>, port?: number) => {
    const provider = await IdentityProviderProcess.start({
      port: port ?? (await freePort()),
      logDir: path.join(dir, 'logs'),
      env,
    });
    started.push(provider);
    return provider;
  };
  const verify = (token: string, provider: IdentityProviderProcess) =>
    jwtVerify(token, createRemoteJWKSet(new URL(provider.jwksUrl)), {
      issuer: provider.issuer,
      audience: provider.audience,
      typ: 'at+jwt',
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-provider-process-'));
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((provider) => provider.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('issues tokens over POST /tokens that verify with its issuer and audience, its defaults unless given', async () => {
    const plain = await start();
    expect({ issuer: plain.issuer, audience: plain.audience }).toEqual({ issuer: plain.url, audience: 'shopflow' });
    const { payload } = await verify(await plain.token({ sub: 'alice', scope: 'orders admin', ttl: '15m' }), plain);
    expect(payload).toMatchObject({ iss: plain.url, sub: 'alice', aud: 'shopflow', scope: 'orders admin' });
    expect(payload.exp! - payload.iat!).toBe(900);

    const configured = await start({ ISSUER: 'http://identity-provider:4020', AUDIENCE: 'shop-test', MAX_TTL: '1h' });
    expect({ issuer: configured.issuer, audience: configured.audience }).toEqual({
      issuer: 'http://identity-provider:4020',
      audience: 'shop-test',
    });
    const { payload: capped } = await verify(await configured.token({ sub: 'bob', ttl: '7d' }), configured);
    expect(capped.exp! - capped.iat!).toBe(3600);
    await expect(configured.token({ sub: 'bob', ttl: 'forever' })).rejects.toThrow(/400.*ttl must be a duration/);
  });

  it('keeps its key in SIGNING_KEY_FILE: a token from before a restart verifies after it', async () => {
    const env = { SIGNING_KEY_FILE: path.join(dir, 'keys/signing-key.json') };
    const first = await start(env);
    const token = await first.token({ sub: 'alice' });
    await first.stop();
    // The same port: the default issuer (its URL) is the same too, as for npm start.
    const again = await start(env, Number(new URL(first.url).port));
    expect(again.issuer).toBe(first.issuer);
    await expect(verify(token, again)).resolves.toMatchObject({ payload: { sub: 'alice' } });
    const elsewhere = await start({ SIGNING_KEY_FILE: path.join(dir, 'other.json') });
    await expect(verify(token, elsewhere)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('refuses an environment the provider would refuse, before starting it', async () => {
    await expect(start({ MAX_TTL: 'forever', ISSUER: 'identity-provider' })).rejects.toThrow(
      /^the identity provider would refuse env: (?=.*MAX_TTL: must be a duration)(?=.*ISSUER: must be an http\(s\) URL)/,
    );
  });
});

describe('dist/main.js failing to start', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-provider-main-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs dist/main.js to its exit (it must exit on its own: these starts fail). */
  const run = (env: Record<string, string>) => runToExit(path.join(__dirname, '../dist/main.js'), { env });

  it('says in one line that its port is in use, and how to fix it', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = holder.address() as net.AddressInfo;
      expect(await run({ PORT: String(port) })).toEqual({
        status: 1,
        stdout: '',
        stderr: `identity provider: cannot listen on 127.0.0.1:${port} (EADDRINUSE): stop what uses it or set PORT\n`,
      });
    } finally {
      holder.close();
    }
  });

  it('says in one line that HOST is not an address of this machine, and what to set', async () => {
    // 192.0.2.1 is a documentation address (RFC 5737): no interface here has it, and nothing is sent to it.
    expect(await run({ HOST: '192.0.2.1', PORT: '0' })).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'identity provider: cannot listen on 192.0.2.1:0 (EADDRNOTAVAIL): HOST is not an address of this machine: ' +
        'set it to one of its addresses, e.g. 127.0.0.1 (0.0.0.0: all of them)\n',
    });
  });

  it('makes IdentityProviderProcess.start reject with its line, rather than wait for a provider that exited', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = holder.address() as net.AddressInfo;
      const logDir = path.join(dir, 'logs');
      await expect(IdentityProviderProcess.start({ port, logDir })).rejects.toThrow(
        `the identity provider exited instead of starting: identity provider: cannot listen on 127.0.0.1:${port} ` +
          `(EADDRINUSE): stop what uses it or set PORT (log: ${logDir}/identity-provider.log)`,
      );
    } finally {
      holder.close();
    }
  });

  it('names every wrong variable in one line', async () => {
    expect(await run({ PORT: 'http', AUDIENCE: '' })).toEqual({
      status: 1,
      stdout: '',
      stderr: expect.stringMatching(/^identity provider: invalid configuration: PORT: [^\n]*; AUDIENCE: [^\n]*\n$/),
    });
  });

  it('names a SIGNING_KEY_FILE that holds no key, in one line', async () => {
    const file = path.join(dir, 'key.json');
    fs.writeFileSync(file, '{}');
    expect(await run({ PORT: '0', SIGNING_KEY_FILE: file })).toEqual({
      status: 1,
      stdout: '',
      stderr: `identity provider: SIGNING_KEY_FILE ${file} holds no ES256 private key (a JWK with kty EC, crv P-256 and d): delete it to have a new key made there, or point SIGNING_KEY_FILE at another file\n`,
    });
  });
});
