import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from './load-config';

const schema = baseConfigSchema({ port: 3001 }).extend({ ORDER_TIMEOUT_MS: z.coerce.number().int().positive() });
const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/orders',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://idp.example.com/',
  ORDER_TIMEOUT_MS: '30000',
};

describe('loadConfig', () => {
  it('parses and fills defaults', () => {
    expect(loadConfig(schema, valid)).toEqual({
      ...valid,
      AMQP_URL: ['amqp://guest:guest@127.0.0.1:5672'],
      PORT: 3001,
      LOG_LEVEL: 'info',
      PREFETCH: 50,
      DATABASE_POOL_SIZE: 10,
      TRANSACTION_BATCH_MAX: 32,
      TRANSACTION_BATCH_CONCURRENCY: 1,
      READINESS_OUTBOX_MAX_AGE_MS: 60_000,
      TRACING_ENABLED: false,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
      OTEL_BSP_SCHEDULE_DELAY: 5000,
      AUTH_AUDIENCE: 'shopflow',
      AUTH_CLOCK_TOLERANCE_S: 30,
      ORDER_TIMEOUT_MS: 30000,
    });
    expect(loadConfig(schema, { ...valid, PORT: '4000' })).toMatchObject({ PORT: 4000 });
  });

  it('lists every problem in one clear error', () => {
    const attempt = () =>
      loadConfig(schema, {
        DATABASE_URL: 'mysql://x',
        PORT: 'abc',
        TRACING_ENABLED: 'yes',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger',
        AUTH_JWKS_URL: 'ftp://idp.example.com/keys',
        AUTH_CLOCK_TOLERANCE_S: '3600',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/DATABASE_URL: must be a postgres: or postgresql: URL/);
    expect(attempt).toThrow(/AMQP_URL/);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/ORDER_TIMEOUT_MS/);
    expect(attempt).toThrow(/TRACING_ENABLED/);
    expect(attempt).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(attempt).toThrow(/AUTH_JWKS_URL: must be an http or https URL/);
    expect(attempt).toThrow(/AUTH_ISSUER/);
    expect(attempt).toThrow(/AUTH_CLOCK_TOLERANCE_S/);
  });

  it("takes a cluster's nodes as AMQP URLs separated by commas", () => {
    const cluster = 'amqp://svc:pw@10.0.0.1:5672/shop, amqp://svc:pw@10.0.0.2:5672/shop,amqps://svc:pw@10.0.0.3/shop';
    expect(loadConfig(schema, { ...valid, AMQP_URL: cluster }).AMQP_URL).toEqual([
      'amqp://svc:pw@10.0.0.1:5672/shop',
      'amqp://svc:pw@10.0.0.2:5672/shop',
      'amqps://svc:pw@10.0.0.3/shop',
    ]);
  });

  it('refuses a list whose addresses name different users or vhosts, or one that is not an AMQP URL', () => {
    const vhosts = 'amqp://svc:pw@10.0.0.1/shop,amqp://svc:pw@10.0.0.2/shp';
    expect(() => loadConfig(schema, { ...valid, AMQP_URL: vhosts })).toThrow(
      /AMQP_URL: every address must name the same user and vhost/,
    );
    const users = 'amqp://svc:pw@10.0.0.1/shop,amqp://guest:pw@10.0.0.2/shop';
    expect(() => loadConfig(schema, { ...valid, AMQP_URL: users })).toThrow(/AMQP_URL: every address/);
    expect(() => loadConfig(schema, { ...valid, AMQP_URL: 'amqp://a/x,http://b/x' })).toThrow(
      /AMQP_URL.*amqp: or amqps: URL/,
    );
    expect(() => loadConfig(schema, { ...valid, AMQP_URL: 'amqp://a/x,' })).toThrow(/AMQP_URL/);
  });
});
