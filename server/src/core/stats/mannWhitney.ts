/** Mann–Whitney U test on two independent samples. */
import { normalSf } from './distributions';
import { rankWithTies, tieCubeSum } from './rank';
import type { MannWhitneyResult, PValueMethod } from './types';
import { requireSample } from './validate';

/**
 * P(U ≤ k) under the null for samples of sizes m and n without ties. The frequencies of U are the
 * coefficients of the Gaussian binomial [m+n choose m]_q = Π_{i=1..m} (1 − q^{n+i}) / (1 − q^i);
 * building it factor by factor, truncated at degree k, costs O(min(m,n) · k).
 */
export function mannWhitneyExactCdf(k: number, m: number, n: number): number {
  if (k < 0) return 0;
  if (k >= m * n) return 1;
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  const coefficients = new Float64Array(k + 1);
  coefficients[0] = 1;
  let total = 1;
  for (let i = 1; i <= small; i++) {
    const drop = large + i;
    for (let u = k; u >= drop; u--) coefficients[u] -= coefficients[u - drop];
    for (let u = i; u <= k; u++) coefficients[u] += coefficients[u - i];
    total = (total * (large + i)) / i;
  }
  let cumulative = 0;
  for (let u = 0; u <= k; u++) cumulative += coefficients[u];
  return cumulative / total;
}

/**
 * Mirrors scipy.stats.mannwhitneyu(x, y) with its defaults: use_continuity=True,
 * alternative='two-sided', method='auto'. The 'auto' rule of scipy 1.17
 * (_mannwhitneyu._mwu_choose_method): normal approximation when both samples have more than 8
 * values or when any value is tied (across both samples); otherwise the exact distribution of U.
 * The normal approximation uses the tie-corrected variance n1·n2/12 · ((N+1) − Σ(t³−t)/(N(N−1)))
 * and a continuity correction of 0.5 toward the mean. `statistic` is U of x, as scipy reports.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  requireSample('x', x, 1);
  requireSample('y', y, 1);
  const n1 = x.length;
  const n2 = y.length;
  const { ranks, tieSizes } = rankWithTies([...x, ...y]);
  let rankSumX = 0;
  for (let i = 0; i < n1; i++) rankSumX += ranks[i];
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  const hasTies = tieSizes.some((t) => t > 1);
  const method: PValueMethod = (n1 > 8 && n2 > 8) || hasTies ? 'asymptotic' : 'exact';
  const base = {
    test: 'Mann–Whitney U' as const,
    statistic: u1,
    method,
    n1,
    n2,
    effectSize: (2 * u1) / (n1 * n2) - 1,
    effectName: 'rank-biserial correlation' as const,
  };
  if (method === 'exact') {
    // The distribution is symmetric: P(U ≥ u) = P(U ≤ n1·n2 − u), summed from the short tail.
    return { ...base, p: Math.min(1, 2 * mannWhitneyExactCdf(Math.round(n1 * n2 - u), n1, n2)) };
  }
  const total = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (total + 1 - tieCubeSum(tieSizes) / (total * (total - 1))));
  const z = (u - (n1 * n2) / 2 - 0.5) / sd;
  return { ...base, p: Math.min(1, 2 * normalSf(z)), z };
}
