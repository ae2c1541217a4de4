import { ProgramProcess } from '@shopflow/testing';
import path from 'node:path';
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
    private readonly program: ProgramProcess,
  ) {}

  get pid(): number {
    return this.program.pid;
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
    const env = { ...options.env, PORT: String(options.port) };
    // The same reading of the environment as the process's own: its issuer and audience, or why it would not start.
    const config = readIdentityProviderConfig(env);
    if ('problems' in config) throw new Error(`the identity provider would refuse env: ${config.problems.join('; ')}`);
    const url = `http://127.0.0.1:${options.port}`;
    const program = await ProgramProcess.start({
      name: 'the identity provider',
      main: path.join(PACKAGE_ROOT, 'dist/main.js'),
      env,
      logFile: path.join(options.logDir, 'identity-provider.log'),
      readyUrl: `${url}/health`,
    });
    return new IdentityProviderProcess(url, config.issuer ?? url, config.audience, program);
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
    await this.program.stop();
  }
}
