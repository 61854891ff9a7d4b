/**
 * Precision of a mean from n images, for the "test set too small" diagnostic: the half-width of
 * the t confidence interval of a mean, and the smallest n that reaches a wanted half-width.
 */
import { tQuantile } from './distributions';

function requireConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
}

/** t_{(1+confidence)/2, n−1} · sd / √n: half-width of the two-sided CI of a mean of n values with standard deviation sd. */
export function ciHalfWidthForN(sd: number, n: number, confidence = 0.95): number {
  requireConfidence(confidence);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`n must be an integer of at least 2, got ${n}`);
  if (!(sd >= 0)) throw new RangeError(`sd must be a non-negative number, got ${sd}`);
  return (tQuantile((1 + confidence) / 2, n - 1) * sd) / Math.sqrt(n);
}

/**
 * Smallest n ≥ 2 whose CI half-width (see ciHalfWidthForN) is at most targetHalfWidth. The t
 * quantile depends on n, so there is no closed form; the half-width decreases with n, so a
 * doubling search followed by bisection finds it with about 2·log2(n) quantile evaluations.
 */
export function requiredSampleSize(sd: number, targetHalfWidth: number, confidence = 0.95): number {
  requireConfidence(confidence);
  if (!(targetHalfWidth > 0)) throw new RangeError(`target half-width must be positive, got ${targetHalfWidth}`);
  if (!(sd >= 0) || !Number.isFinite(sd)) throw new RangeError(`sd must be a finite non-negative number, got ${sd}`);
  const fits = (n: number): boolean => ciHalfWidthForN(sd, n, confidence) <= targetHalfWidth;
  if (fits(2)) return 2;
  let low = 2; // does not fit
  let high = 4;
  while (!fits(high)) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) high = mid;
    else low = mid;
  }
  return high;
}
