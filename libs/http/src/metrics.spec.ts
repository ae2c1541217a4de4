import { createLogger, createServiceMetrics, type ServiceMetrics } from '@shopflow/observability';
import { Router } from 'express';
import request from 'supertest';
import { createHttpApp } from './create-http-app';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// As Prometheus reads them (Go's ParseFloat): NaN and Inf in any case. prom-client writes `Nan` for
// the event-loop lag of a process scraped before its first lag sample.
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?inf(?:inity)?|nan)$/i;

/** A strict reader of the Prometheus text format 0.0.4: throws on the first line that is not valid. */
function parseExposition(text: string): Sample[] {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, index) => {
      const fail = (why: string): never => {
        throw new Error(`line ${index + 1} (${why}): ${line}`);
      };
      if (line === '') return; // blank lines are allowed between families
      if (line.startsWith('#')) {
        const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line) ?? fail('bad comment');
        const [, kind, name, rest] = meta;
        if (!NAME.test(name!)) fail('bad metric name');
        if (kind === 'TYPE') {
          if (!/^(counter|gauge|histogram|summary|untyped)$/.test(rest!)) fail('bad type');
          if (types.has(name!)) fail('type declared twice');
          types.set(name!, rest!);
        }
        return;
      }
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line) ?? fail('bad sample');
      const [, name, labelText, value] = sample;
      if (!VALUE.test(value!)) fail('bad value');
      const labels: Record<string, string> = {};
      let rest = labelText ?? '';
      while (rest.length > 0) {
        const pair = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest) ?? fail('bad labels');
        if (!LABEL_NAME.test(pair[1]!)) fail('bad label name');
        if (pair[1]! in labels) fail('label repeated');
        labels[pair[1]!] = pair[2]!.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
        rest = rest.slice(pair[0].length);
      }
      const family = types.has(name!) ? name! : name!.replace(/_(bucket|sum|count)$/, '');
      const type = types.get(family) ?? fail('sample without a TYPE');
      if (family !== name && type !== 'histogram' && type !== 'summary') fail('suffix on a non-histogram');
      if (name!.endsWith('_bucket') && family !== name && !('le' in labels)) fail('bucket without le');
      samples.push({ name: name!, labels, value: Number(value) });
    });
  return samples;
}

function appWith(metrics: ServiceMetrics) {
  const router = Router();
  router.get('/things/:id', (req, res) => {
    res.json({ id: req.params['id'] });
  });
  return createHttpApp({
    logger: createLogger({ service: 'test', level: 'silent' }),
    routers: [router],
    // Metrics of every request, authenticated or not, are what is measured here.
    authenticate: (_req, _res, next) => next(),
    readiness: [],
    metrics,
  });
}

describe('GET /metrics', () => {
  it('answers valid Prometheus text with HTTP metrics labelled by route pattern', async () => {
    const metrics = createServiceMetrics('http-test');
    const app = appWith(metrics);
    await request(app).get('/things/7').expect(200);
    await request(app).get('/things/8?x=1').expect(200);
    await request(app).get('/nowhere/secret-id').expect(404);

    const res = await request(app).get('/metrics');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(res.text);
    const requests = samples.filter((s) => s.name === 'shopflow_http_requests_total');
    expect(requests).toEqual(
      expect.arrayContaining([
        {
          name: 'shopflow_http_requests_total',
          labels: { method: 'GET', route: '/things/:id', status: '200', service: 'http-test' },
          value: 2,
        },
        {
          name: 'shopflow_http_requests_total',
          labels: { method: 'GET', route: 'unmatched', status: '404', service: 'http-test' },
          value: 1,
        },
      ]),
    );
    expect(requests).toHaveLength(2);
    expect(res.text).not.toContain('/things/7');
    expect(res.text).not.toContain('secret-id');
    const durationCount = samples.find(
      (s) => s.name === 'shopflow_http_request_duration_seconds_count' && s.labels['route'] === '/things/:id',
    );
    expect(durationCount?.value).toBe(2);
    // Default process metrics are there, with the service label.
    expect(samples.find((s) => s.name === 'process_cpu_user_seconds_total')?.labels).toEqual({ service: 'http-test' });
  });

  it('counts the scrape itself on the next scrape, and is absent without metrics', async () => {
    const metrics = createServiceMetrics('http-test', { defaultMetrics: false });
    const app = appWith(metrics);
    await request(app).get('/metrics').expect(200);
    const second = parseExposition((await request(app).get('/metrics')).text);
    expect(second).toContainEqual({
      name: 'shopflow_http_requests_total',
      labels: { method: 'GET', route: '/metrics', status: '200', service: 'http-test' },
      value: 1,
    });

    const without = createHttpApp({
      logger: createLogger({ service: 'test', level: 'silent' }),
      routers: [],
      authenticate: (_req, _res, next) => next(),
      readiness: [],
    });
    expect((await request(without).get('/metrics')).status).toBe(404);
  });

  it('rejects what is not valid exposition format', () => {
    expect(() => parseExposition('# TYPE a counter\na{b="c} 1\n')).toThrow(/bad/);
    expect(() => parseExposition('a 1\n')).toThrow(/without a TYPE/);
    expect(() => parseExposition('# TYPE a counter\na one\n')).toThrow(/bad value/);
    expect(parseExposition('# TYPE a counter\na{b="x\\"y"} 1.5e3\n')).toEqual([
      { name: 'a', labels: { b: 'x"y' }, value: 1500 },
    ]);
  });
});
