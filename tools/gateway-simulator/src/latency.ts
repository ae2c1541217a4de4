/** The standard normal's 99th percentile: p99 = p50 · e^(σ · Z99) for a log-normal latency. */
const Z99 = 2.326_347_874;

export interface LatencySettings {
  /** Median answer time. */
  p50Ms: number;
  /** 99th percentile; at or below the median, every answer takes the median. */
  p99Ms: number;
}

/**
 * A sampler of answer times with the given median and 99th percentile. Network services' latencies
 * are skewed to the right (most answers quick, a long tail): a log-normal distribution fits them
 * with just these two figures.
 */
export function latencySampler({ p50Ms, p99Ms }: LatencySettings, random: () => number = Math.random): () => number {
  if (p50Ms <= 0) return () => 0;
  if (p99Ms <= p50Ms) return () => p50Ms;
  const mu = Math.log(p50Ms);
  const sigma = Math.log(p99Ms / p50Ms) / Z99;
  return () => Math.exp(mu + sigma * standardNormal(random));
}

/** Box–Muller: one standard normal draw from two uniform ones. */
function standardNormal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
