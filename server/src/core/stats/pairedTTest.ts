/** Paired t-test on the differences a − b. */
import { tSf } from './distributions';
import type { PairedTTestResult } from './types';
import { requirePairs } from './validate';

/**
 * Mirrors scipy.stats.ttest_rel(a, b) (two-sided, nan_policy='propagate' but NaN is rejected
 * here), plus the mean difference and Cohen's d_z. n ≥ 2.
 *
 * Zero variance (all differences equal), where scipy divides by zero: if every difference is 0 the
 * methods are indistinguishable, so t = 0, p = 1 and d_z = 0 (scipy: NaN); otherwise the shift is
 * certain, so t = ±Infinity, p = 0 and d_z = ±Infinity (scipy gives ±inf and 0 too).
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTTestResult {
  requirePairs(a, b, 2);
  const n = a.length;
  const d = a.map((v, i) => v - b[i]);
  let sum = 0;
  for (const v of d) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of d) squares += (v - mean) * (v - mean);
  const sd = Math.sqrt(squares / (n - 1));
  const df = n - 1;
  const base = { test: 'Paired t-test' as const, n, df, meanDifference: mean, sdDifference: sd, effectName: "Cohen's d_z" as const };
  if (sd === 0) {
    if (mean === 0) return { ...base, statistic: 0, p: 1, effectSize: 0 };
    const infinite = mean > 0 ? Infinity : -Infinity;
    return { ...base, statistic: infinite, p: 0, effectSize: infinite };
  }
  const t = mean / (sd / Math.sqrt(n));
  return { ...base, statistic: t, p: Math.min(1, 2 * tSf(Math.abs(t), df)), effectSize: mean / sd };
}
