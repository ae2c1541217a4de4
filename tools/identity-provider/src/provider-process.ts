import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readIdentityProviderConfig } from './config';
import { type IssuedToken, type TokenRequest } from './token-issuer';

/** This package's folder: its build is dist/main.js. */
const PACKAGE_ROOT = path.resolve(__dirname, '..');

/**
 * The identity provider as its own OS process (dist/main.js), as npm start and compose run it, for
 * the e2e suite and the bench: they get tokens over HTTP (POST /tokens) only, and point the
 * services at `jwksUrl`, `issuer` and `audience`.
 */
export class IdentityProviderProcess {
  private constructor(
    readonly url: string,
    /** The tokens' `iss`: ISSUER from `env`, or the provider's default for the port. */
    readonly issuer: string,
    readonly audience: string,
    private readonly child: ChildProcess,
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** What the services' AUTH_JWKS_URL names. */
  get jwksUrl(): string {
    return `${this.url}/.well-known/jwks.json`;
  }

  /**
   * Starts it on `port` (logs in `logDir`/identity-provider.log) and waits for /health. `env` takes
   * its variables (ISSUER, AUDIENCE, SIGNING_KEY_FILE, MAX_TTL).
   */
  static async start(options: {
    port: number;
    logDir: string;
    env?: Record<string, string>;
  }): Promise<IdentityProviderProcess> {
    const main = path.join(PACKAGE_ROOT, 'dist/main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build it first (npx nx run-many -t build)`);
    const env = { PATH: process.env['PATH'] ?? '', ...options.env, PORT: String(options.port) };
    // The same reading of the environment as the process's own: its issuer and audience, or why it would not start.
    const config = readIdentityProviderConfig(env);
    if ('problems' in config) throw new Error(`the identity provider would refuse env: ${config.problems.join('; ')}`);
    fs.mkdirSync(options.logDir, { recursive: true });
    const logFile = path.join(options.logDir, 'identity-provider.log');
    const log = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const url = `http://127.0.0.1:${options.port}`;
    const provider = new IdentityProviderProcess(url, config.issuer ?? url, config.audience, child);
    const deadline = Date.now() + 15_000;
    while (
      // Bounded: whatever else holds the port may accept the connection and never answer.
      !(await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null) {
        // Its last line says why (a port in use, a bad variable) and what to do: main.ts writes it so.
        throw new Error(`the identity provider exited instead of starting: ${lastLine(logFile)} (log: ${logFile})`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the identity provider did not answer on port ${options.port} within 15 s: see ${logFile}`);
      }
      await delay(50);
    }
    return provider;
  }

  /** A signed access token from POST /tokens (default scope `orders`, lifetime `1h`). */
  async token(claims: TokenRequest): Promise<string> {
    const res = await fetch(`${this.url}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(claims),
    });
    if (res.status !== 201)
      throw new Error(`the identity provider refused the token: ${res.status} ${await res.text()}`);
    return ((await res.json()) as IssuedToken).access_token;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** The last line of a log file: what a process that failed to start said last. */
function lastLine(file: string): string {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').at(-1) || '(its log is empty)';
}
