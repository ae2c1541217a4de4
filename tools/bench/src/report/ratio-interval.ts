/** Student's t for a two-sided 95 % interval, by degrees of freedom (rounds - 1); 2.0 past the table. */
const T_95: readonly number[] = [
  NaN,
  12.71,
  4.3,
  3.18,
  2.78,
  2.57,
  2.45,
  2.36,
  2.31,
  2.26,
  2.23,
  2.2,
  2.18,
  2.16,
  2.14,
];

export interface RatioInterval {
  geometricMean: number;
  /** The 95 % interval of the geometric mean; undefined with a single round. */
  low?: number;
  high?: number;
}

/**
 * The geometric mean of per-round ratios (B ÷ A) and its 95 % confidence interval, computed on their
 * logarithms (a ratio of 0.9 and one of 1.11 are the same distance from 1). An interval that holds 1
 * means the rounds cannot tell the two apart.
 */
export function ratioInterval(ratios: readonly number[]): RatioInterval {
  if (ratios.length === 0) throw new Error('no ratios');
  const logs = ratios.map((r) => Math.log(r));
  const mean = logs.reduce((sum, x) => sum + x, 0) / logs.length;
  if (logs.length < 2) return { geometricMean: Math.exp(mean) };
  const variance = logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (logs.length - 1);
  const halfWidth = (T_95[logs.length - 1] ?? 2) * Math.sqrt(variance / logs.length);
  return { geometricMean: Math.exp(mean), low: Math.exp(mean - halfWidth), high: Math.exp(mean + halfWidth) };
}
