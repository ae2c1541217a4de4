import { latencySampler } from './latency';

/** A seeded generator (mulberry32): the same draws on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

describe('latency sampler', () => {
  it('draws answer times with the asked median and 99th percentile', () => {
    const sample = latencySampler({ p50Ms: 150, p99Ms: 600 }, seeded(42));
    const draws = Array.from({ length: 50_000 }, sample).sort((a, b) => a - b);
    expect(percentile(draws, 0.5)).toBeGreaterThan(145);
    expect(percentile(draws, 0.5)).toBeLessThan(155);
    expect(percentile(draws, 0.99)).toBeGreaterThan(570);
    expect(percentile(draws, 0.99)).toBeLessThan(630);
    expect(draws[0]).toBeGreaterThan(0);
  });

  it('answers at once for a median of 0, and always at the median without a tail', () => {
    expect(latencySampler({ p50Ms: 0, p99Ms: 600 })()).toBe(0);
    expect(latencySampler({ p50Ms: 150, p99Ms: 100 })()).toBe(150);
  });
});
