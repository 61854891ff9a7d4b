/**
 * PCA to a few dimensions before the neighbour search (as scanpy and the umap-learn docs advise
 * for wide data): the neighbours are searched on 32 principal components, which keep the
 * directions that carry the variance. Randomised range finder (Halko, Martinsson & Tropp 2011)
 * with two power iterations, then an exact eigendecomposition of the small projected problem;
 * seeded, so a run is reproducible.
 *
 * Above FIT_ROWS rows the components are fitted on a seeded uniform sample of FIT_ROWS rows and
 * every row is then projected on them: 10,000 rows fix the leading components far more finely
 * than a 2-D map can show, and the fit's six passes over 60,000 × 768 features were most of the
 * step's time. The explained variance is measured on all rows. Rows are centred as they are read
 * (no centred copy of the matrix), and the passes work on 2 rows × 2 directions at a time so each
 * value read serves two products.
 */
import { createRandom } from '../../util/random';
import { jacobiEigen, orthonormalizeRows, symmetricProduct } from '../linalg';

export const PCA_DIMENSIONS = 32;
/** Rows the components are fitted on; larger inputs are projected on them. */
export const PCA_FIT_ROWS = 10_000;

export interface PcaResult {
  /** n × dims scores (row-major). */
  scores: Float64Array;
  dims: number;
  /** Share of the total variance the kept components explain. */
  explainedVariance: number;
  /** Rows the components were fitted on (n, or a sample of PCA_FIT_ROWS). */
  fittedOn: number;
}

/** Rows i (of `rows`, or all) centred, two at a time, handed to `visit(a, b, ra, rb)`; b = −1 for an odd last row. */
function forEachCentredPair(
  data: Float32Array,
  d: number,
  mean: Float64Array,
  rows: Int32Array,
  visit: (pos: number, rowA: Float64Array, rowB: Float64Array | undefined) => void,
): void {
  const ra = new Float64Array(d);
  const rb = new Float64Array(d);
  for (let p = 0; p < rows.length; p += 2) {
    const a = rows[p] * d;
    for (let j = 0; j < d; j++) ra[j] = data[a + j] - mean[j];
    if (p + 1 < rows.length) {
      const b = rows[p + 1] * d;
      for (let j = 0; j < d; j++) rb[j] = data[b + j] - mean[j];
      visit(p, ra, rb);
    } else visit(p, ra, undefined);
  }
}

/** out (count × rows.length): out[r][p] = (x_rows[p] − mean) · dir_r. */
function project(data: Float32Array, d: number, mean: Float64Array, rows: Int32Array, dirs: Float64Array, count: number): Float64Array {
  const m = rows.length;
  const out = new Float64Array(count * m);
  forEachCentredPair(data, d, mean, rows, (p, ra, rb) => {
    let r = 0;
    for (; r + 1 < count; r += 2) {
      const u = r * d;
      const v = u + d;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      if (rb) {
        for (let j = 0; j < d; j++) {
          const a = ra[j];
          const b = rb[j];
          const wu = dirs[u + j];
          const wv = dirs[v + j];
          s00 += a * wu;
          s01 += a * wv;
          s10 += b * wu;
          s11 += b * wv;
        }
        out[r * m + p + 1] = s10;
        out[(r + 1) * m + p + 1] = s11;
      } else {
        for (let j = 0; j < d; j++) {
          s00 += ra[j] * dirs[u + j];
          s01 += ra[j] * dirs[v + j];
        }
      }
      out[r * m + p] = s00;
      out[(r + 1) * m + p] = s01;
    }
    if (r < count) {
      const u = r * d;
      let s0 = 0;
      let s1 = 0;
      for (let j = 0; j < d; j++) {
        s0 += ra[j] * dirs[u + j];
        if (rb) s1 += rb[j] * dirs[u + j];
      }
      out[r * m + p] = s0;
      if (rb) out[r * m + p + 1] = s1;
    }
  });
  return out;
}

/** Σ_p q[r][p] · (x_rows[p] − mean), for the count rows q (count × rows.length): count × d. */
function backProject(data: Float32Array, d: number, mean: Float64Array, rows: Int32Array, q: Float64Array, count: number): Float64Array {
  const m = rows.length;
  const out = new Float64Array(count * d);
  forEachCentredPair(data, d, mean, rows, (p, ra, rb) => {
    for (let r = 0; r < count; r++) {
      const ca = q[r * m + p];
      const cb = rb ? q[r * m + p + 1] : 0;
      const o = r * d;
      if (rb) for (let j = 0; j < d; j++) out[o + j] += ca * ra[j] + cb * rb[j];
      else for (let j = 0; j < d; j++) out[o + j] += ca * ra[j];
    }
  });
  return out;
}

/** A seeded uniform sample of `size` of the rows 0 … n − 1, in increasing order. */
function sampleRows(n: number, size: number, seed: number): Int32Array {
  if (size >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const r = createRandom(seed);
  // Floyd's algorithm: `size` distinct draws without an array of n.
  const chosen = new Set<number>();
  for (let j = n - size; j < n; j++) {
    const t = r.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

export function reduceDimensions(input: ArrayLike<number>, n: number, d: number, options: { dims?: number; seed?: number; fitRows?: number } = {}): PcaResult {
  const data = input instanceof Float32Array ? input : Float32Array.from(input);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j] - mean[j];
      total += v * v;
    }
  const target = Math.min(options.dims ?? PCA_DIMENSIONS, d, n);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (d <= target) {
    const scores = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scores[i * d + j] = data[i * d + j] - mean[j];
    return { scores, dims: d, explainedVariance: 1, fittedOn: n };
  }
  const seed = options.seed ?? 0;
  const fit = sampleRows(n, options.fitRows ?? PCA_FIT_ROWS, seed + 1);
  const m = fit.length;
  const l = Math.min(d, m, target + 10);
  const r = createRandom(seed);
  const omega = Float64Array.from({ length: l * d }, () => r.normal());
  // Q spans the range of X·Ω; power iterations sharpen it towards the leading components.
  let q = project(data, d, mean, fit, omega, l);
  orthonormalizeRows(q, l, m);
  for (let it = 0; it < 2; it++) {
    const z = backProject(data, d, mean, fit, q, l);
    orthonormalizeRows(z, l, d);
    q = project(data, d, mean, fit, z, l);
    orthonormalizeRows(q, l, m);
  }
  // B = Qᵀ·X (l × d); B·Bᵀ = U Σ² Uᵀ; the components V = Bᵀ·U·Σ⁻¹ (rows: target × d).
  const b = backProject(data, d, mean, fit, q, l);
  const e = jacobiEigen(symmetricProduct(b, b, l, d), l);
  const components = new Float64Array(target * d);
  for (let c = 0; c < target; c++) {
    const sigma = Math.sqrt(Math.max(0, e.values[c]));
    if (sigma === 0) continue;
    for (let rr = 0; rr < l; rr++) {
      const coef = e.vectors[c * l + rr] / sigma;
      if (coef === 0) continue;
      for (let j = 0; j < d; j++) components[c * d + j] += coef * b[rr * d + j];
    }
  }
  const byComponent = project(data, d, mean, all, components, target);
  const scores = new Float64Array(n * target);
  let kept = 0;
  for (let c = 0; c < target; c++)
    for (let i = 0; i < n; i++) {
      const v = byComponent[c * n + i];
      scores[i * target + c] = v;
      kept += v * v;
    }
  return { scores, dims: target, explainedVariance: total > 0 ? kept / total : 0, fittedOn: m };
}
