import { AppError } from '@shopflow/errors';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { AccessTokenVerifier } from '../src/access-token-verifier';
import { authenticate, bearerChallenge, requireScope } from '../src/bearer';
import { principalOf } from '../src/principal';
import { AUDIENCE, ISSUER, JwksServer } from './jwks-server';

describe('authenticate and requireScope', () => {
  let jwks: JwksServer;
  let app: express.Express;
  let reached: number;

  beforeAll(async () => {
    jwks = await JwksServer.start();
    const verifier = new AccessTokenVerifier({
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_CLOCK_TOLERANCE_S: 0,
    });
    app = express();
    app.use(authenticate(verifier));
    app.get('/products', requireScope('catalog:write', 'admin'), (_req, res) => {
      reached++;
      res.json({ subject: principalOf(res.locals).subject });
    });
    const answer: ErrorRequestHandler = (error, _req, res, _next) => {
      const appError = AppError.from(error);
      res.set('WWW-Authenticate', bearerChallenge(appError) ?? 'none');
      res.status(appError.kind === 'unauthenticated' ? 401 : 403).json({ detail: appError.message });
    };
    app.use(answer);
  });
  beforeEach(() => (reached = 0));
  afterAll(() => jwks.close());

  it('lets a token with one of the scopes through, with its principal', async () => {
    const res = await request(app)
      .get('/products')
      .set('authorization', `Bearer ${await jwks.sign({ sub: 'staff-1', scope: 'catalog:write' })}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: 'staff-1' });
    expect(reached).toBe(1);
  });

  it.each([
    ['no header', undefined, 'an access token is required'],
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0', 'the Authorization header must be "Bearer <access token>"'],
    ['an empty bearer', 'Bearer ', 'the Authorization header must be "Bearer <access token>"'],
  ])('challenges a request with %s, with no error code', async (_case, header, detail) => {
    const req = request(app).get('/products');
    const res = await (header === undefined ? req : req.set('authorization', header));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="shopflow"');
    expect(res.body.detail).toBe(detail);
    expect(reached).toBe(0);
  });

  it('challenges a bad token with invalid_token and why, and reaches no route', async () => {
    const res = await request(app)
      .get('/products')
      .set('authorization', `bearer ${await jwks.sign({ aud: 'billing' })}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="shopflow", error="invalid_token", error_description="the access token is meant for another audience"',
    );
    expect(reached).toBe(0);
  });

  it('refuses a valid token without the scope with 403 naming the scopes', async () => {
    const res = await request(app)
      .get('/products')
      .set('authorization', `Bearer ${await jwks.sign({ scope: 'orders' })}`);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="shopflow", error="insufficient_scope", ' +
        'error_description="this needs an access token with the scope catalog:write or admin", scope="catalog:write admin"',
    );
    expect(reached).toBe(0);
  });
});
