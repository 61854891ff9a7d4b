/**
 * Quantiles exactly as numpy's default (`method='linear'`, Hyndman & Fan type 7), so that HD95
 * and bootstrap intervals match what a Python user computes with `np.percentile`.
 */

/**
 * The q-quantile (q in [0, 1]) of values already sorted ascending, over the first `n` entries.
 * Mirrors numpy's `_quantile` + `_lerp`, including its two-sided interpolation formula, so results
 * agree bit for bit in ordinary cases. `n` must be at least 1.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number, n: number = sorted.length): number {
  const virtualIndex = (n - 1) * q;
  if (virtualIndex >= n - 1) return sorted[n - 1];
  if (virtualIndex < 0) return sorted[0];
  const previous = Math.floor(virtualIndex);
  const gamma = virtualIndex - previous;
  const a = sorted[previous];
  const b = sorted[previous + 1];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}
