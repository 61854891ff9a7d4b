/**
 * PCA to a few dimensions before the neighbour search (as scanpy and the umap-learn docs advise
 * for wide data): exact k-NN on 32 principal components is fast and keeps the directions that
 * carry the variance. Randomised range finder (Halko, Martinsson & Tropp 2011) with two power
 * iterations, then an exact eigendecomposition of the small projected problem; seeded, so a run
 * is reproducible.
 */
import { createRandom } from '../../util/random';
import { jacobiEigen, orthonormalizeRows, symmetricProduct } from '../linalg';

export const PCA_DIMENSIONS = 32;

export interface PcaResult {
  /** n × dims scores (row-major). */
  scores: Float64Array;
  dims: number;
  /** Share of the total variance the kept components explain. */
  explainedVariance: number;
}

/** Centred data (n × d, row-major) as Float64Array. */
function centred(data: ArrayLike<number>, n: number, d: number): Float64Array {
  const x = new Float64Array(n * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = data[i * d + j] - mean[j];
  return x;
}

/** Rows of Y = X·Ωᵀ for `count` direction rows Ω (count × d): returned as count × n (one row per direction). */
function projectRows(x: Float64Array, n: number, d: number, omega: Float64Array, count: number): Float64Array {
  const out = new Float64Array(count * n);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let r = 0; r < count; r++) {
      let s = 0;
      const o = r * d;
      for (let j = 0; j < d; j++) s += x[row + j] * omega[o + j];
      out[r * n + i] = s;
    }
  }
  return out;
}

/** Xᵀ·q for `count` rows q (count × n): count × d. */
function backProject(x: Float64Array, n: number, d: number, q: Float64Array, count: number): Float64Array {
  const out = new Float64Array(count * d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let r = 0; r < count; r++) {
      const c = q[r * n + i];
      if (c === 0) continue;
      const o = r * d;
      for (let j = 0; j < d; j++) out[o + j] += c * x[row + j];
    }
  }
  return out;
}

export function reduceDimensions(data: ArrayLike<number>, n: number, d: number, options: { dims?: number; seed?: number } = {}): PcaResult {
  const x = centred(data, n, d);
  const target = Math.min(options.dims ?? PCA_DIMENSIONS, d, n);
  let total = 0;
  for (let i = 0; i < x.length; i++) total += x[i] * x[i];
  if (d <= target) return { scores: x, dims: d, explainedVariance: 1 };
  const l = Math.min(d, n, target + 10);
  const r = createRandom(options.seed ?? 0);
  const omega = Float64Array.from({ length: l * d }, () => r.normal());
  // Q spans the range of X·Ω; power iterations sharpen it towards the leading components.
  let q = projectRows(x, n, d, omega, l);
  orthonormalizeRows(q, l, n);
  for (let it = 0; it < 2; it++) {
    const z = backProject(x, n, d, q, l);
    orthonormalizeRows(z, l, d);
    q = projectRows(x, n, d, z, l);
    orthonormalizeRows(q, l, n);
  }
  // B = Qᵀ·X (l × d); B·Bᵀ = U Σ² Uᵀ; the scores X·V = Q·U·Σ.
  const b = backProject(x, n, d, q, l);
  const e = jacobiEigen(symmetricProduct(b, b, l, d), l);
  const scores = new Float64Array(n * target);
  let kept = 0;
  for (let c = 0; c < target; c++) {
    kept += Math.max(0, e.values[c]);
    // Score c of point i: Σ_r Q[r][i] · U[r][c] · σ_c.
    const sigma = Math.sqrt(Math.max(0, e.values[c]));
    for (let rr = 0; rr < l; rr++) {
      const coef = e.vectors[c * l + rr] * sigma;
      if (coef === 0) continue;
      for (let i = 0; i < n; i++) scores[i * target + c] += coef * q[rr * n + i];
    }
  }
  return { scores, dims: target, explainedVariance: total > 0 ? kept / total : 0 };
}
