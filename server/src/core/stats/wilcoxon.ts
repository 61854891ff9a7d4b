/** Wilcoxon signed-rank test on paired samples. */
import { normalSf } from './distributions';
import { rankWithTies, tieCubeSum } from './rank';
import type { PValueMethod, WilcoxonSignedRankResult } from './types';
import { requirePairs } from './validate';

/**
 * Number of sign assignments giving each sum of the weights: counts[s] = #{subsets of weights
 * summing to s}. Weights are small non-negative integers (ranks, or doubled ranks when ties make
 * them half-integers). Counts stay exact in doubles up to 2^53, i.e. for up to 52 weights.
 */
function subsetSumCounts(weights: readonly number[]): Float64Array {
  let total = 0;
  for (const w of weights) total += w;
  const counts = new Float64Array(total + 1);
  counts[0] = 1;
  let reach = 0;
  for (const w of weights) {
    for (let s = reach; s >= 0; s--) counts[s + w] += counts[s];
    reach += w;
  }
  return counts;
}

/** Two-sided p = 2·min(P(S ≤ s), P(S ≥ s)), capped at 1, for S distributed as `counts`. */
function twoSidedFromCounts(counts: Float64Array, s: number): number {
  let lower = 0;
  let upper = 0;
  let all = 0;
  for (let v = 0; v < counts.length; v++) {
    all += counts[v];
    if (v <= s) lower += counts[v];
    if (v >= s) upper += counts[v];
  }
  return Math.min(1, (2 * Math.min(lower, upper)) / all);
}

/**
 * Mirrors scipy.stats.wilcoxon(a, b) with its defaults: zero_method='wilcox' (zero differences
 * dropped), correction=False, alternative='two-sided', method='auto'. The 'auto' rule of scipy
 * 1.17 (scipy/stats/_wilcoxon.py):
 * - more than 50 pairs → normal approximation;
 * - otherwise, no ties among |d| and no zero d → exact null distribution of R+;
 * - otherwise, at most 13 pairs → exhaustive sign-flip permutation test (2^n ≤ 8192 flips, fewer
 *   than scipy's 9999 resamples, so its permutation test is exact and deterministic);
 * - otherwise → normal approximation with the tie-corrected variance
 *   n'(n'+1)(2n'+1)/24 − Σ(t³ − t)/48 over the n' non-zero differences.
 * The statistic is min(R+, R−). When every difference is zero there is nothing to rank: p = 1 and
 * statistic 0 (scipy agrees up to 13 pairs and returns NaN above).
 */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonSignedRankResult {
  requirePairs(a, b, 1);
  const n = a.length;
  const differences = a.map((v, i) => v - b[i]);
  const nonZero = differences.filter((v) => v !== 0);
  const { ranks, tieSizes } = rankWithTies(nonZero.map(Math.abs));
  let rankSumPositive = 0;
  let rankSumNegative = 0;
  nonZero.forEach((v, i) => {
    if (v > 0) rankSumPositive += ranks[i];
    else rankSumNegative += ranks[i];
  });
  const hasTies = tieSizes.some((t) => t > 1);
  const hasZeros = nonZero.length < n;
  let method: PValueMethod;
  if (n > 50) method = 'asymptotic';
  else if (!hasTies && !hasZeros) method = 'exact';
  else if (n <= 13) method = 'permutation';
  else method = 'asymptotic';

  const count = nonZero.length;
  const rankTotal = rankSumPositive + rankSumNegative;
  const base = {
    test: 'Wilcoxon signed-rank' as const,
    statistic: Math.min(rankSumPositive, rankSumNegative),
    method,
    n,
    nonZero: count,
    rankSumPositive,
    rankSumNegative,
    effectSize: rankTotal > 0 ? (rankSumPositive - rankSumNegative) / rankTotal : 0,
    effectName: 'matched-pairs rank-biserial correlation' as const,
  };
  if (count === 0) return { ...base, p: 1 };

  if (method === 'exact') {
    const counts = subsetSumCounts(Array.from({ length: count }, (_, i) => i + 1));
    return { ...base, p: twoSidedFromCounts(counts, Math.round(rankSumPositive)) };
  }
  if (method === 'permutation') {
    // Flipping the sign of a difference moves its rank between R+ and R−; zero differences flip to
    // themselves and only repeat every outcome 2^zeros times, which cancels in the proportion.
    // Doubling makes average ranks (k + 0.5) integers, so sums compare exactly.
    const counts = subsetSumCounts(Array.from(ranks, (r) => Math.round(2 * r)));
    return { ...base, p: twoSidedFromCounts(counts, Math.round(2 * rankSumPositive)) };
  }
  const mean = (count * (count + 1)) / 4;
  const sd = Math.sqrt((count * (count + 1) * (2 * count + 1) - tieCubeSum(tieSizes) / 2) / 24);
  const z = (rankSumPositive - mean) / sd;
  return { ...base, p: Math.min(1, 2 * normalSf(Math.abs(z))), z: -Math.abs(z) };
}
