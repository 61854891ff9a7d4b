/** Friedman test for k related samples (methods measured on the same blocks, e.g. images). */
import { chiSquareSf } from './distributions';
import { rankWithTies, tieCubeSum } from './rank';
import type { FriedmanResult } from './types';
import { requireSample } from './validate';

/**
 * Mirrors scipy.stats.friedmanchisquare(*groups): `groups[i][j]` is method i on block j. Values
 * are ranked within each block (ties averaged), and the statistic is divided by the tie correction
 * 1 − Σ(t³ − t) / (n·k·(k² − 1)); p from chi-square with k − 1 degrees of freedom.
 * Kendall's W = statistic / (n·(k − 1)) is the same quantity rescaled to [0, 1] (1 = every block
 * ranks the methods identically), tie-corrected like the statistic.
 * scipy insists on k ≥ 3; the formula holds for k = 2 and is allowed here. When every block is
 * fully tied there is no ranking information: statistic 0, p 1, W 0 (scipy: NaN).
 */
export function friedman(groups: readonly (readonly number[])[]): FriedmanResult {
  const k = groups.length;
  if (k < 2) throw new RangeError(`friedman needs at least 2 groups (methods), got ${k}`);
  const n = groups[0].length;
  groups.forEach((group, i) => {
    if (group.length !== n) throw new RangeError(`groups[${i}] has ${group.length} blocks, groups[0] has ${n}`);
    requireSample(`groups[${i}]`, group, 1);
  });
  const rankSums = new Float64Array(k);
  let tieSum = 0;
  for (let j = 0; j < n; j++) {
    const { ranks, tieSizes } = rankWithTies(groups.map((group) => group[j]));
    for (let i = 0; i < k; i++) rankSums[i] += ranks[i];
    tieSum += tieCubeSum(tieSizes);
  }
  const correction = 1 - tieSum / (k * (k * k - 1) * n);
  const df = k - 1;
  const base = { test: 'Friedman' as const, df, k, n, effectName: "Kendall's W" as const };
  if (correction <= 0) return { ...base, statistic: 0, p: 1, effectSize: 0 };
  let sumOfSquares = 0;
  for (const r of rankSums) sumOfSquares += r * r;
  const statistic = ((12 / (k * n * (k + 1))) * sumOfSquares - 3 * n * (k + 1)) / correction;
  return { ...base, statistic, p: chiSquareSf(statistic, df), effectSize: statistic / (n * (k - 1)) };
}
