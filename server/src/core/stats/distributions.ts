/**
 * Tail probabilities of the reference distributions. Survival functions are computed from the
 * upper tail directly (erfc, the incomplete beta and gamma functions) rather than as 1 − cdf, so
 * a p-value of 1e-40 keeps its digits.
 */
import betainc from '@stdlib/math-base-special-betainc';
import erfc from '@stdlib/math-base-special-erfc';
import gammainc from '@stdlib/math-base-special-gammainc';

/** P(Z > z) for a standard normal Z (scipy.special.ndtr(-z)). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** P(T > t) for Student's t with `df` degrees of freedom (scipy.stats.t.sf). */
export function tSf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  const upperHalf = 0.5 * betainc(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? upperHalf : 1 - upperHalf;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  return tSf(-t, df);
}

/** P(X > x) for chi-square with `df` degrees of freedom (scipy.stats.chi2.sf). */
export function chiSquareSf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return gammainc(x / 2, df / 2, true, true);
}

/**
 * The q-quantile of Student's t (scipy.stats.t.ppf), by bisection on the cdf: monotone, no
 * derivative needed, and 200 halvings reach the last bit of a double.
 */
export function tQuantile(q: number, df: number): number {
  if (!(q > 0 && q < 1) || !(df > 0)) {
    if (q === 0) return -Infinity;
    if (q === 1) return Infinity;
    return NaN;
  }
  if (q === 0.5) return 0;
  // Work in the upper half and mirror, so the bracket only has to grow to the right.
  const upper = q > 0.5;
  const target = upper ? 1 - q : q; // tail probability P(T > t) to hit
  let lo = 0;
  let hi = 1;
  while (tSf(hi, df) > target) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) return upper ? Infinity : -Infinity;
  }
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (tSf(mid, df) > target) lo = mid;
    else hi = mid;
  }
  const t = 0.5 * (lo + hi);
  return upper ? t : -t;
}
