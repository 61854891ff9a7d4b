/** Ranks with ties averaged, as scipy.stats.rankdata(method='average'). */

export interface RankedSample {
  /** 1-based ranks in input order; tied values share the mean of their ranks. */
  ranks: Float64Array;
  /** Size of every group of equal values (1 for an untied value), in ascending order of value. */
  tieSizes: number[];
}

/** Average ranks plus the tie group sizes that tie corrections need. Values must not be NaN. */
export function rankWithTies(values: ArrayLike<number>): RankedSample {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Float64Array(n);
  const tieSizes: number[] = [];
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]] = averageRank;
    tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}

/** scipy.stats.rankdata(values) with the default method='average'. */
export function rank(values: readonly number[]): number[] {
  return Array.from(rankWithTies(values).ranks);
}

/** Σ (t³ − t) over tie groups: the quantity every rank test's tie correction is built from. */
export function tieCubeSum(tieSizes: readonly number[]): number {
  let sum = 0;
  for (const t of tieSizes) sum += t * t * t - t;
  return sum;
}
