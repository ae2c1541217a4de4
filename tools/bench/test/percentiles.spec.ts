import { distribution } from '../src/report/percentiles';

describe('distribution', () => {
  it('gives nearest-rank percentiles: each one a value that occurred', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(distribution(values)).toEqual({ count: 100, mean: 50.5, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('is all zeros without values, and the one value with one', () => {
    expect(distribution([])).toEqual({ count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    expect(distribution([7])).toEqual({ count: 1, mean: 7, p50: 7, p95: 7, p99: 7, max: 7 });
  });
});
