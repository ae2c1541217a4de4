import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from './load-config';

const schema = baseConfigSchema({ port: 3001 }).extend({ ORDER_TIMEOUT_MS: z.coerce.number().int().positive() });
const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/orders',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  ORDER_TIMEOUT_MS: '30000',
};

describe('loadConfig', () => {
  it('parses and fills defaults', () => {
    expect(loadConfig(schema, valid)).toEqual({
      ...valid,
      PORT: 3001,
      LOG_LEVEL: 'info',
      PREFETCH: 50,
      DATABASE_POOL_SIZE: 10,
      TRANSACTION_BATCH_MAX: 32,
      MIGRATE_ON_START: true,
      READINESS_OUTBOX_MAX_AGE_MS: 60_000,
      TRACING_ENABLED: false,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
      OTEL_BSP_SCHEDULE_DELAY: 5000,
      ORDER_TIMEOUT_MS: 30000,
    });
    expect(loadConfig(schema, { ...valid, PORT: '4000', MIGRATE_ON_START: 'false' })).toMatchObject({
      PORT: 4000,
      MIGRATE_ON_START: false,
    });
  });

  it('lists every problem in one clear error', () => {
    const attempt = () =>
      loadConfig(schema, {
        DATABASE_URL: 'mysql://x',
        PORT: 'abc',
        TRACING_ENABLED: 'yes',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/DATABASE_URL: must be a postgres: or postgresql: URL/);
    expect(attempt).toThrow(/AMQP_URL/);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/ORDER_TIMEOUT_MS/);
    expect(attempt).toThrow(/TRACING_ENABLED/);
    expect(attempt).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
