/**
 * UMAP's low-dimensional similarity 1 / (1 + a·d^(2b)) is fitted to the curve `min_dist` and
 * `spread` describe (1 up to min_dist, then exp(−(d − min_dist)/spread)) at 300 points on
 * [0, 3·spread], by least squares — what umap-learn's find_ab_params does with scipy's
 * curve_fit. Levenberg–Marquardt with the analytic Jacobian from (a, b) = (1, 1), to a relative
 * step of 1e-12 (scipy stops at 1.5e-8).
 */

export interface CurveParams {
  a: number;
  b: number;
}

const SAMPLES = 300;

export function fitCurveParams(spread: number, minDist: number): CurveParams {
  const xs = Float64Array.from({ length: SAMPLES }, (_, i) => (3 * spread * i) / (SAMPLES - 1));
  const ys = Float64Array.from(xs, (x) => (x < minDist ? 1 : Math.exp(-(x - minDist) / spread)));
  const logs = Float64Array.from(xs, (x) => (x > 0 ? Math.log(x) : 0));
  const residuals = (a: number, b: number, grad?: { ja: Float64Array; jb: Float64Array }): number => {
    let sse = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const u = xs[i] > 0 ? Math.exp(2 * b * logs[i]) : 0;
      const den = 1 + a * u;
      const r = 1 / den - ys[i];
      sse += r * r;
      if (grad) {
        grad.ja[i] = -u / (den * den);
        grad.jb[i] = (-a * u * 2 * logs[i]) / (den * den);
      }
    }
    return sse;
  };
  const grad = { ja: new Float64Array(SAMPLES), jb: new Float64Array(SAMPLES) };
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let sse = residuals(a, b, grad);
  for (let it = 0; it < 500; it++) {
    // Normal equations JᵀJ·δ = −Jᵀr, damped on the diagonal.
    let aa = 0;
    let ab = 0;
    let bb = 0;
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const u = xs[i] > 0 ? Math.exp(2 * b * logs[i]) : 0;
      const r = 1 / (1 + a * u) - ys[i];
      aa += grad.ja[i] * grad.ja[i];
      ab += grad.ja[i] * grad.jb[i];
      bb += grad.jb[i] * grad.jb[i];
      ga += grad.ja[i] * r;
      gb += grad.jb[i] * r;
    }
    let accepted = false;
    for (let tries = 0; tries < 50 && !accepted; tries++) {
      const m11 = aa * (1 + lambda);
      const m22 = bb * (1 + lambda);
      const det = m11 * m22 - ab * ab;
      const da = (-ga * m22 + gb * ab) / det;
      const db = (-gb * m11 + ga * ab) / det;
      const trial = residuals(a + da, b + db);
      if (Number.isFinite(trial) && trial <= sse) {
        const small = Math.abs(da) <= 1e-12 * Math.abs(a) && Math.abs(db) <= 1e-12 * Math.abs(b);
        a += da;
        b += db;
        sse = residuals(a, b, grad);
        lambda = Math.max(lambda / 10, 1e-12);
        accepted = true;
        if (small) return { a, b };
      } else lambda *= 10;
    }
    if (!accepted) break;
  }
  return { a, b };
}
