import { benchSettings } from '../src/system/local-system';

describe('benchSettings', () => {
  const options = {
    logLevel: 'info',
    serviceEnv: { PREFETCH: '50', 'order-service:PREFETCH': '200', 'order-service:TRANSACTION_BATCH_MAX': '16' },
  };

  it('gives a service the --env for every service, then its own, which wins', () => {
    expect(benchSettings(options, 'order-service')).toEqual({
      LOG_LEVEL: 'info',
      SEED_CATALOG: 'false',
      PREFETCH: '200',
      TRANSACTION_BATCH_MAX: '16',
    });
    expect(benchSettings(options, 'payment-service')).toEqual({
      LOG_LEVEL: 'info',
      SEED_CATALOG: 'false',
      PREFETCH: '50',
    });
  });

  it('lists every entry as given for the report', () => {
    expect(benchSettings(options)).toEqual({ LOG_LEVEL: 'info', SEED_CATALOG: 'false', ...options.serviceEnv });
  });
});
