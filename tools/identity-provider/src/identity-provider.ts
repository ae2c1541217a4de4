import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { parseDuration } from './duration';
import { loadSigningKey, SIGNING_ALGORITHM } from './signing-key';
import { KNOWN_SCOPES, tokenIssuer, TokenRequestError, type TokenRequest } from './token-issuer';

export interface IdentityProviderOptions {
  /** 0 (the default) takes a free port. */
  port?: number;
  host?: string;
  /** The tokens' `iss`; default its own URL, http://127.0.0.1:<port>. */
  issuer?: string;
  /** The tokens' `aud`; default `shopflow`. */
  audience?: string;
  /** Where the signing key is kept across restarts (made if missing); default a key in memory. */
  signingKeyFile?: string;
  /** The longest lifetime a token gets, e.g. `30d` (the default). */
  maxTtl?: string;
}

export interface IdentityProvider {
  /** Where it answers, e.g. http://127.0.0.1:4020. */
  url: string;
  port: number;
  issuer: string;
  audience: string;
  /** Its JWKS, what the services' AUTH_JWKS_URL names. */
  jwksUrl: string;
  /** A signed access token, made as POST /tokens makes it (without the HTTP). */
  token(claims: TokenRequest): Promise<string>;
  close(): Promise<void>;
}

const JWKS_PATH = '/.well-known/jwks.json';
const TOKEN_PATH = '/tokens';
/** Both discovery paths: OpenID Connect's, and RFC 8414's for OAuth-only clients. */
const METADATA_PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const problem = (status: number, kind: string, title: string, detail: string): Answer => ({
  status,
  body: { type: `urn:shopflow:problem:${kind}`, title, status, detail },
  headers: { 'content-type': 'application/problem+json' },
});

/**
 * A development identity provider: it signs JWT access tokens (ES256) for anyone who asks at
 * `POST /tokens`, and publishes the key the services verify them with (`GET /.well-known/jwks.json`)
 * and its metadata (`GET /.well-known/openid-configuration`). There is no login and no client
 * authentication: it is for development, tests, the benchmark and compose only. In production the
 * services trust a real identity provider (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE).
 */
export async function startIdentityProvider(options: IdentityProviderOptions = {}): Promise<IdentityProvider> {
  const maxTtl = options.maxTtl ?? '30d';
  const maxTtlSeconds = parseDuration(maxTtl);
  if (maxTtlSeconds === undefined) throw new Error(`maxTtl ${JSON.stringify(maxTtl)} is no duration such as 30d`);
  const key = await loadSigningKey(options.signingKeyFile);
  const audience = options.audience ?? 'shopflow';

  const server = http.createServer();
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${reachableHost(options.host ?? '127.0.0.1')}:${port}`;
  const issuer = options.issuer ?? url;
  const issue = tokenIssuer({ key, issuer, audience, maxTtlSeconds });
  // Published under the issuer, as a real provider does: it is where the services reach it.
  const base = issuer.replace(/\/$/, '');
  const metadata = {
    issuer,
    jwks_uri: `${base}${JWKS_PATH}`,
    token_endpoint: `${base}${TOKEN_PATH}`,
    scopes_supported: KNOWN_SCOPES,
    // POST /tokens is this tool's own (a JSON body, anyone may ask): no OAuth grant, no
    // authorization endpoint, so no response or grant type is offered, and no client authenticates.
    response_types_supported: [],
    grant_types_supported: [],
    token_endpoint_auth_methods_supported: ['none'],
    subject_types_supported: ['public'],
    // The access tokens' algorithm too: verifiers that read the metadata take the algorithm from here.
    id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
  };
  const jwks = { keys: [key.publicJwk] };

  const routes: Record<string, Record<string, (req: IncomingMessage) => Promise<Answer> | Answer>> = {
    '/health': { GET: () => ({ status: 200, body: { status: 'ok' } }) },
    [JWKS_PATH]: {
      // Verifiers cache it; a key rotation (a new key file) is picked up within five minutes, and
      // sooner by a verifier that refetches on an unknown kid.
      GET: () => ({ status: 200, body: jwks, headers: { 'cache-control': 'public, max-age=300' } }),
    },
    ...Object.fromEntries(METADATA_PATHS.map((path) => [path, { GET: () => ({ status: 200, body: metadata }) }])),
    [TOKEN_PATH]: {
      POST: async (req) => {
        const body = await readJson(req);
        if (body === undefined)
          return problem(
            400,
            'invalid_input',
            'Invalid request',
            'the body must be a JSON object such as {"sub": "alice", "scope": "orders"}',
          );
        try {
          // RFC 6749 §5.1: a token response must not be cached.
          return { status: 201, body: await issue(body.value), headers: { 'cache-control': 'no-store' } };
        } catch (error) {
          if (error instanceof TokenRequestError)
            return problem(400, 'invalid_input', 'Invalid request', error.message);
          throw error;
        }
      },
    },
  };

  const handle = async (req: IncomingMessage): Promise<Answer> => {
    const { pathname } = new URL(req.url ?? '/', 'http://identity-provider');
    const methods = routes[pathname];
    if (!methods) return problem(404, 'not_found', 'Not found', `no route ${pathname}`);
    const route = methods[req.method ?? ''];
    if (!route) {
      const answer = problem(
        405,
        'method_not_allowed',
        'Method not allowed',
        `${pathname} takes ${Object.keys(methods).join(', ')}`,
      );
      return { ...answer, headers: { ...answer.headers, allow: Object.keys(methods).join(', ') } };
    }
    return route(req);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Every failure of handle() becomes a 500 problem; send() only writes the answer.
    void handle(req)
      .catch((error: unknown) =>
        problem(500, 'internal', 'Internal error', error instanceof Error ? error.message : String(error)),
      )
      .then((answer) => send(res, answer));
  });

  return {
    url,
    port,
    issuer,
    audience,
    jwksUrl: `${url}${JWKS_PATH}`,
    token: async (claims) => (await issue(claims)).access_token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Where a client on this machine reaches a server listening on `host`. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The request's JSON body (`value`), or undefined if it is not JSON (an empty body included). */
async function readJson(req: IncomingMessage): Promise<{ value: unknown } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16 * 1024) return undefined;
    chunks.push(chunk);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, { status, body, headers }: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    ...headers,
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}
