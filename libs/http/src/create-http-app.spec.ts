import { AppError } from '@shopflow/errors';
import { createLogger } from '@shopflow/observability';
import { Router, type RequestHandler } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { createHttpApp } from './create-http-app';
import { parseRequest } from './parse-request';

/** Stands in for @shopflow/auth's authenticate (tested there against real tokens): "Bearer good" passes. */
const authenticate: RequestHandler = (req, _res, next) => {
  const header = req.get('authorization');
  if (header === 'Bearer good') return next();
  throw new AppError('unauthenticated', header ? 'the access token is malformed' : 'an access token is required', {
    ...(header ? { error: 'invalid_token' } : {}),
  });
};

function app(readinessOk = true, logger = createLogger({ service: 'test', level: 'silent' })) {
  const router = Router();
  router.post('/things', (req, res) => {
    const body = parseRequest(z.object({ name: z.string().min(1) }), req.body);
    res.status(201).json(body);
  });
  router.get('/missing', () => {
    throw new AppError('not_found', 'no thing 7', { thingId: '7' });
  });
  router.get('/boom', async () => {
    throw new Error('password=hunter2 leaked in a driver error');
  });
  router.post('/busy', (_req, res) => {
    res.set('Retry-After', '1');
    throw new AppError('unavailable', 'too busy; try again later');
  });
  router.get('/admin-only', () => {
    throw new AppError('forbidden', 'this needs admin', { error: 'insufficient_scope', requiredScopes: ['admin'] });
  });
  return createHttpApp({
    logger,
    routers: [router],
    authenticate,
    readiness: [
      { name: 'database', check: async () => undefined },
      { name: 'broker', check: async () => (readinessOk ? undefined : Promise.reject(new Error('not connected'))) },
    ],
  });
}

/**
 * A logger at debug level whose lines the test reads. `requestLogged` settles once the request log
 * has written its line, which it does when the response is finished, maybe after the client has it.
 */
function capturedLog() {
  const lines: string[] = [];
  let requestLine: () => void = () => undefined;
  const requestLogged = new Promise<void>((resolve) => (requestLine = resolve));
  const logger = createLogger({
    service: 'test',
    level: 'debug',
    destination: {
      write: (line: string) => {
        lines.push(line);
        if (line.includes('"responseTime"')) requestLine();
      },
    },
  });
  return { lines, logger, requestLogged };
}

/** A request through the app, as a caller holding a valid token. */
const call = (readinessOk = true) => {
  const agent = request(app(readinessOk));
  return {
    get: (path: string) => agent.get(path).set('authorization', 'Bearer good'),
    post: (path: string) => agent.post(path).set('authorization', 'Bearer good'),
  };
};

describe('HTTP app', () => {
  it('answers malformed JSON with a 400 problem', async () => {
    const res = await call().post('/things').set('content-type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({
      status: 400,
      title: 'Invalid request',
      detail: expect.stringMatching(/malformed JSON/),
    });
  });

  it('lists invalid fields', async () => {
    const res = await call().post('/things').send({ name: '' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors).toEqual([{ path: 'name', message: expect.any(String) }]);
  });

  it('maps an AppError kind to its status, with its details', async () => {
    const res = await call().get('/missing');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({
      type: 'urn:shopflow:problem:not_found',
      detail: 'no thing 7',
      thingId: '7',
      instance: '/missing',
    });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await call().get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('hides the details of unexpected errors', async () => {
    const res = await call().get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('hunter2');
  });

  it('is live always, and ready only when every dependency answers', async () => {
    expect((await request(app(false)).get('/health/live')).status).toBe(200);
    const notReady = await request(app(false)).get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks).toContainEqual({ name: 'broker', status: 'down', error: 'not connected' });
    expect((await request(app(true)).get('/health/ready')).status).toBe(200);
  });

  it('answers every route but health with 401, a Bearer challenge and no route reached, without a valid token', async () => {
    for (const path of ['/missing', '/nowhere']) {
      const anonymous = await request(app()).get(path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="shopflow"');
      expect(JSON.parse(anonymous.text)).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
    const badToken = await request(app()).post('/things').set('authorization', 'Bearer bad').send({ name: 'x' });
    expect(badToken.status).toBe(401);
    expect(badToken.headers['www-authenticate']).toBe(
      'Bearer realm="shopflow", error="invalid_token", error_description="the access token is malformed"',
    );
    expect((await request(app()).get('/health/live')).status).toBe(200);
    expect((await request(app()).get('/health/ready')).status).toBe(200);
  });

  it('names the scope a 403 lacks in its challenge', async () => {
    const res = await call().get('/admin-only');
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="shopflow", error="insufficient_scope", error_description="this needs admin", scope="admin"',
    );
    expect(JSON.parse(res.text)).toMatchObject({ status: 403, requiredScopes: ['admin'] });
  });

  it('logs a failed request in one error line that carries the error and its stack', async () => {
    const { lines, logger, requestLogged } = capturedLog();
    const res = await request(app(true, logger)).get('/boom').set('authorization', 'Bearer good');
    expect(res.status).toBe(500);
    await requestLogged;
    const logged = lines.map((line) => JSON.parse(line) as { level: number; err?: { message: string; stack: string } });
    expect(
      logged.map(({ level, err }) => ({ level, message: err?.message, stacked: err?.stack.includes('at ') })),
    ).toEqual([{ level: 50, message: 'password=hunter2 leaked in a driver error', stacked: true }]);
  });

  it('answers a refusal that names when to come back (load shedding) without a log line: under overload there are thousands', async () => {
    const { lines, logger } = capturedLog();
    const res = await request(app(true, logger)).post('/busy').set('authorization', 'Bearer good');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.parse(res.text)).toMatchObject({ status: 503, detail: 'too busy; try again later' });
    expect(lines).toEqual([]);
  });

  it('sheds load before a request is authenticated or its body read; what it lets through is', async () => {
    let shedding = true;
    const shed = Router().post('/things', (_req, res, next) => {
      if (!shedding) return next();
      res.set('Retry-After', '2');
      throw new AppError('unavailable', 'too busy; try again later');
    });
    const things = Router().post('/things', (req, res) => res.status(201).json(req.body));
    const shedder = createHttpApp({
      logger: createLogger({ service: 'test', level: 'silent' }),
      routers: [things],
      authenticate,
      admission: shed,
      readiness: [],
    });
    const unreadable = () => request(shedder).post('/things').type('json').send('{"name":');

    const refused = await unreadable();
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);

    shedding = false;
    expect((await unreadable()).status).toBe(400);
    expect((await request(shedder).post('/things').send({ name: 'x' })).status).toBe(401);
    expect(
      (await request(shedder).post('/things').set('authorization', 'Bearer good').send({ name: 'x' })).body,
    ).toEqual({
      name: 'x',
    });
  });

  it("never writes a request's credentials to its log line", async () => {
    const { lines, logger, requestLogged } = capturedLog();
    await request(app(true, logger))
      .get('/missing')
      .set('authorization', 'Bearer s3cr3t-t0ken')
      .set('cookie', 'sid=c00kie');
    await requestLogged;
    const logged = lines.find((line) => line.includes('"/missing"'));
    expect(logged).toContain('"authorization":"[redacted]"');
    expect(lines.join('')).not.toMatch(/s3cr3t-t0ken|c00kie/);
  });
});
