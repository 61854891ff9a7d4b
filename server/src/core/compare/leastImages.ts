/**
 * The least number of test images for a wanted precision: the bootstrap 95 % CI half-width of
 * the mean Dice as a function of n (resampling n of the observed per-image values), and the n
 * where it reaches the target — observed on the curve when n ≤ the images at hand, otherwise
 * extrapolated with the 1/√n law the curve follows, and cross-checked with the t-interval.
 */
import { createRandom, quantileSorted } from '../metrics';
import { requiredSampleSize, ciHalfWidthForN } from '../stats';

export interface TestSetSizeCurve {
  method: string;
  n: number[];
  half_width: number[];
  target_half_width: number;
  /** Images needed for the target (bootstrap curve; extrapolated when beyond the images at hand). */
  needed: number | undefined;
  extrapolated: boolean;
  /** The same from the t-interval with the observed SD. */
  needed_t: number | undefined;
  observed_sd: number | undefined;
  current_half_width: number | undefined;
}

export function testSetSizeCurve(method: string, values: readonly number[], target: number, options: { bootstrap: number; seed: number }): TestSetSizeCurve {
  const N = values.length;
  const empty: TestSetSizeCurve = { method, n: [], half_width: [], target_half_width: target, needed: undefined, extrapolated: false, needed_t: undefined, observed_sd: undefined, current_half_width: undefined };
  if (N < 3) return empty;
  const mean = values.reduce((a, b) => a + b, 0) / N;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1));
  const B = Math.max(200, Math.min(options.bootstrap, 2000));
  const grid = [...new Set([3, 5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000].filter((n) => n < N).concat([N]))];
  const random = createRandom(options.seed);
  const halfWidths = grid.map((n) => {
    const means = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += values[Math.floor(random() * N)];
      means[b] = s / n;
    }
    means.sort();
    return (quantileSorted(means, 0.975) - quantileSorted(means, 0.025)) / 2;
  });
  const current = halfWidths[halfWidths.length - 1];
  let needed: number | undefined;
  let extrapolated = false;
  const reached = grid.findIndex((_, i) => halfWidths[i] <= target);
  if (reached >= 0) needed = grid[reached];
  else if (current > 0) {
    needed = Math.ceil(N * (current / target) ** 2);
    extrapolated = true;
  }
  const neededT = sd > 0 ? requiredSampleSize(sd, target, 0.95) : undefined;
  return { method, n: grid, half_width: halfWidths, target_half_width: target, needed, extrapolated, needed_t: neededT, observed_sd: sd, current_half_width: N >= 2 && sd > 0 ? ciHalfWidthForN(sd, N, 0.95) : current };
}
