import path from 'node:path';
import { parseOptions, UsageError, WORKSPACE } from '../src/options';

describe('parseOptions', () => {
  it('runs the full profile by default, with a 1 → 2 replica scaling run', () => {
    const options = parseOptions([]);
    expect(options).toMatchObject({ quick: false, concurrency: 32, phaseSeconds: 30, replicas: [1, 2] });
    expect(options.rate).toBeUndefined();
    expect(options.outDir).toMatch(/bench-results\/full-/);
  });

  it('makes --quick short, and lets every figure be overridden', () => {
    expect(parseOptions(['--quick'])).toMatchObject({ quick: true, phaseSeconds: 3, warmupSeconds: 1 });
    expect(
      parseOptions(['--quick', '--duration', '9', '--rate', '40', '--env', 'PREFETCH=50', '--replicas', '1']),
    ).toMatchObject({
      phaseSeconds: 9,
      rate: 40,
      serviceEnv: { PREFETCH: '50' },
      replicas: [1],
    });
  });

  it('takes --env for one service as SERVICE:KEY=VALUE, and refuses a service it does not run', () => {
    expect(parseOptions(['--env', 'PREFETCH=50', '--env', 'order-service:PREFETCH=200']).serviceEnv).toEqual({
      PREFETCH: '50',
      'order-service:PREFETCH': '200',
    });
    expect(() => parseOptions(['--env', 'shop-service:PREFETCH=1'])).toThrow(/shop-service is none of/);
  });

  it('targets running services without scaling them', () => {
    expect(parseOptions(['--target', '--order-url', 'http://a:1,http://b:2', '--pids', '10,11'])).toMatchObject({
      replicas: [1],
      target: {
        orderUrls: ['http://a:1', 'http://b:2'],
        inventoryUrl: 'http://127.0.0.1:3002',
        identityUrl: 'http://127.0.0.1:4020',
        pids: [10, 11],
      },
    });
  });

  it("runs this checkout's services unless told another's (bench:compare)", () => {
    expect(parseOptions([]).servicesRoot).toBe(WORKSPACE);
    expect(parseOptions(['--services-from', 'tmp/other']).servicesRoot).toBe(path.resolve('tmp/other'));
  });

  it('refuses what it cannot run', () => {
    expect(() => parseOptions(['--rate', '0'])).toThrow(UsageError);
    expect(() => parseOptions(['--declined', '0.7', '--out-of-stock', '0.5'])).toThrow(UsageError);
    expect(() => parseOptions(['--profile', 'billing-service'])).toThrow(UsageError);
    expect(() => parseOptions(['--env', 'NOVALUE'])).toThrow(UsageError);
  });
});
