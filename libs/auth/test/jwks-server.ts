import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import http from 'node:http';
import { type AddressInfo } from 'node:net';

export const ISSUER = 'https://idp.test/';
export const AUDIENCE = 'shopflow';

/**
 * An identity provider reduced to what a verifier sees: a JWKS over real HTTP and a private key
 * that signs whatever a test needs, including tokens no real provider would issue.
 */
export class JwksServer {
  requests = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly privateKey: CryptoKey,
    readonly kid: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  static async start(): Promise<JwksServer> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = 'key-1';
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    let jwks: JwksServer | undefined = undefined;
    const server = http.createServer((req, res) => {
      jwks!.requests++;
      if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwks = new JwksServer(server, privateKey, kid);
    return jwks;
  }

  /** A valid token for `sub`, changed by `claims` (undefined removes one) and `options`. */
  sign(
    claims: JWTPayload = {},
    options: { key?: CryptoKey; kid?: string; expiresInS?: number; alg?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'customer-1',
      scope: 'orders',
      iat: now,
      exp: now + (options.expiresInS ?? 300),
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload)
      .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? this.kid, typ: 'at+jwt' })
      .sign(options.key ?? this.privateKey);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
