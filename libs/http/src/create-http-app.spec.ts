import { AppError } from '@shopflow/errors';
import { createLogger } from '@shopflow/observability';
import { Router } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { createHttpApp } from './create-http-app';
import { parseRequest } from './parse-request';

function app(readinessOk = true) {
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
  return createHttpApp({
    logger: createLogger({ service: 'test', level: 'silent' }),
    routers: [router],
    readiness: [
      { name: 'database', check: async () => undefined },
      { name: 'broker', check: async () => (readinessOk ? undefined : Promise.reject(new Error('not connected'))) },
    ],
  });
}

describe('HTTP app', () => {
  it('answers malformed JSON with a 400 problem', async () => {
    const res = await request(app()).post('/things').set('content-type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({
      status: 400,
      title: 'Invalid request',
      detail: expect.stringMatching(/malformed JSON/),
    });
  });

  it('lists invalid fields', async () => {
    const res = await request(app()).post('/things').send({ name: '' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors).toEqual([{ path: 'name', message: expect.any(String) }]);
  });

  it('maps an AppError kind to its status, with its details', async () => {
    const res = await request(app()).get('/missing');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({
      type: 'urn:shopflow:problem:not_found',
      detail: 'no thing 7',
      thingId: '7',
      instance: '/missing',
    });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await request(app()).get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('hides the details of unexpected errors', async () => {
    const res = await request(app()).get('/boom');
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
});
