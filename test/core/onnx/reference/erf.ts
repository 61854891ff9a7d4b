/**
 * The error function in float64 (JavaScript has none). For |x| < 6 the series
 * erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) has only positive terms, so it keeps full
 * double precision (no cancellation, unlike the alternating Taylor series); beyond 6,
 * 1 − |erf(x)| < 2e-17 is below float64 resolution.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 0; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum);
}
