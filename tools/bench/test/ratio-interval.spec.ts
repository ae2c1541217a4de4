import { ratioInterval } from '../src/report/ratio-interval';

describe('ratioInterval', () => {
  it('takes the geometric mean, so a ratio and its inverse cancel', () => {
    expect(ratioInterval([0.8, 1.25]).geometricMean).toBeCloseTo(1, 10);
  });

  it('gives an interval that holds 1 for noisy rounds around no change', () => {
    // bench:compare of a commit against itself, three rounds.
    const { low, high } = ratioInterval([1.134, 1.046, 0.914]);
    expect(low).toBeLessThan(1);
    expect(high).toBeGreaterThan(1);
  });

  it('gives an interval clear of 1 for a steady change', () => {
    const { geometricMean, low, high } = ratioInterval([1.09, 1.1, 1.11, 1.1, 1.09, 1.11]);
    expect(geometricMean).toBeCloseTo(1.1, 2);
    expect(low).toBeGreaterThan(1.08);
    expect(high).toBeLessThan(1.12);
  });

  it('narrows as rounds are added', () => {
    const few = ratioInterval([0.95, 1.05, 1.0]);
    const many = ratioInterval([0.95, 1.05, 1.0, 0.95, 1.05, 1.0, 0.95, 1.05, 1.0]);
    expect(many.high! - many.low!).toBeLessThan((few.high! - few.low!) / 2);
  });

  it('has no interval for a single round', () => {
    expect(ratioInterval([1.2])).toEqual({ geometricMean: 1.2 });
  });
});
