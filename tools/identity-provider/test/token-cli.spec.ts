import { spawn } from 'node:child_process';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { freePort } from '@shopflow/testing';
import { startIdentityProvider, type IdentityProvider } from '../src';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(__dirname, '../src/token-cli.ts');
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The CLI as `npm run -s token` runs it (tsx), to its exit. */
function runCli(
  args: string[],
  url: string | undefined,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...(url !== undefined && { IDENTITY_PROVIDER_URL: url }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run token (src/token-cli.ts)', () => {
  let provider: IdentityProvider;
  beforeAll(async () => {
    provider = await startIdentityProvider();
  });
  afterAll(() => provider?.close());

  const verify = (token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(provider.jwksUrl)), {
      issuer: provider.issuer,
      audience: provider.audience,
      typ: 'at+jwt',
    });

  it('prints the token and a newline, nothing else: scope orders and 1 hour by default', async () => {
    const run = await runCli(['--sub', 'alice'], provider.url);
    expect({ code: run.code, stderr: run.stderr, lines: run.stdout.split('\n') }).toEqual({
      code: 0,
      stderr: '',
      lines: [expect.stringMatching(JWT), ''],
    });
    const { payload } = await verify(run.stdout.trimEnd());
    expect({ sub: payload.sub, scope: payload['scope'], lifetime: payload.exp! - payload.iat! }).toEqual({
      sub: 'alice',
      scope: 'orders',
      lifetime: 3600,
    });
  });

  it('takes --scope repeated or space-separated, and --ttl', async () => {
    const run = await runCli(
      ['--sub', 'ops', '--scope', 'orders', '--scope', 'catalog:write admin', '--ttl', '15m'],
      provider.url,
    );
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const { payload } = await verify(run.stdout.trimEnd());
    expect({ scope: payload['scope'], lifetime: payload.exp! - payload.iat! }).toEqual({
      scope: 'orders catalog:write admin',
      lifetime: 900,
    });
  });

  it('says in one line that no provider answers, and how to start one', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expect(await runCli(['--sub', 'alice'], url)).toEqual({
      code: 1,
      stdout: '',
      stderr: `no identity provider answers at ${url}: start the system with \`npm start\` (it runs one), or set IDENTITY_PROVIDER_URL\n`,
    });
  });

  it.each([
    ['without --sub', ['--scope', 'orders'], /^--sub is missing: usage: npm run -s token -- --sub <id>/],
    [
      'with an unknown option',
      ['--sub', 'a', '--subject', 'b'],
      /^Unknown option '--subject': usage: npm run -s token/,
    ],
    ['with a stray argument', ['alice'], /^Unexpected argument 'alice'.*: usage: npm run -s token/],
    [
      'with what the provider refuses (its detail)',
      ['--sub', 'a', '--ttl', 'soon'],
      /refused: ttl must be a duration such as 90s/,
    ],
  ])('fails %s: exit 1, one line on stderr, nothing on stdout', async (_case, args, line) => {
    const run = await runCli(args, provider.url);
    expect(run).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(line) });
    expect(run.stderr.split('\n')).toEqual([expect.any(String), '']);
  });
});
