/**
 * The little dense linear algebra the explanations need, on row-major Float64Arrays: a Jacobi
 * eigensolver for small symmetric matrices, Gram–Schmidt, and subspace iteration for the leading
 * eigenvectors of a larger one (Eigen-CAM's principal component, UMAP's PCA step).
 */
import { createRandom } from '../util/random';

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as rows, in the order of `values`, unit length. */
  vectors: Float64Array;
}

/** Cyclic Jacobi rotations on a symmetric n×n matrix (n up to a few dozen). */
export function jacobiEigen(matrix: ArrayLike<number>, n: number): Eigen {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      scale += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    }
    if (off <= 1e-30 * Math.max(scale, 1e-300)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((col, r) => {
    values[r] = a[col * n + col];
    for (let k = 0; k < n; k++) vectors[r * n + k] = v[k * n + col];
  });
  return { values, vectors };
}

/** Orthonormalises the k rows (length d) in place (modified Gram–Schmidt, twice for stability). */
/**
 * X·Yᵀ for row-major X, Y (rows × d) whose product is known to be symmetric: the upper triangle
 * is computed and mirrored (half the dot products).
 */
export function symmetricProduct(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, d: number): Float64Array {
  const out = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++)
    for (let j = i; j < rows; j++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += x[i * d + t] * y[j * d + t];
      out[i * rows + j] = dot;
      out[j * rows + i] = dot;
    }
  return out;
}

export function orthonormalizeRows(rows: Float64Array, k: number, d: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < k; i++) {
      const ri = i * d;
      for (let j = 0; j < i; j++) {
        const rj = j * d;
        let dot = 0;
        for (let t = 0; t < d; t++) dot += rows[ri + t] * rows[rj + t];
        for (let t = 0; t < d; t++) rows[ri + t] -= dot * rows[rj + t];
      }
      let norm = 0;
      for (let t = 0; t < d; t++) norm += rows[ri + t] * rows[ri + t];
      norm = Math.sqrt(norm);
      // A dependent row (rank below k) is left as zeros; its eigenvalue comes out as 0.
      const inv = norm > 1e-300 ? 1 / norm : 0;
      for (let t = 0; t < d; t++) rows[ri + t] *= inv;
    }
  }
}

/**
 * The k leading eigenpairs of a symmetric positive semi-definite operator of size d, by subspace
 * iteration with Rayleigh–Ritz: `multiply(rows, count, out)` applies the operator to each of
 * `count` rows. The block is larger than k, so convergence goes with λ_{block+1}/λ_k rather than
 * with the gap after λ_1, which may be tiny.
 */
export function leadingEigen(
  d: number,
  k: number,
  multiply: (rows: Float64Array, count: number, out: Float64Array) => void,
  options: { seed?: number; tolerance?: number; maxIterations?: number } = {},
): Eigen {
  const block = Math.min(d, Math.max(k + 4, 2 * k));
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 500;
  const r = createRandom(options.seed ?? 1);
  let q = Float64Array.from({ length: block * d }, () => r.normal());
  orthonormalizeRows(q, block, d);
  let z = new Float64Array(block * d);
  let result: Eigen = { values: new Float64Array(block), vectors: q };
  for (let it = 0; it < maxIterations; it++) {
    multiply(q, block, z);
    // Rayleigh–Ritz: H = Q·A·Qᵀ (block×block), rotate the block onto H's eigenvectors.
    const e = jacobiEigen(symmetricProduct(q, z, block, d), block);
    const rotated = new Float64Array(block * d);
    for (let i = 0; i < block; i++) {
      for (let j = 0; j < block; j++) {
        const c = e.vectors[i * block + j];
        if (c === 0) continue;
        for (let t = 0; t < d; t++) rotated[i * d + t] += c * q[j * d + t];
      }
    }
    result = { values: e.values, vectors: rotated };
    // Next block: A·(rotated) is the same combination of z; its distance from λ·rotated is the
    // residual that says whether the leading vectors (not only their values) have converged.
    const next = new Float64Array(block * d);
    for (let i = 0; i < block; i++) {
      for (let j = 0; j < block; j++) {
        const c = e.vectors[i * block + j];
        if (c === 0) continue;
        for (let t = 0; t < d; t++) next[i * d + t] += c * z[j * d + t];
      }
    }
    const scale = Math.max(Math.abs(e.values[0]), 1e-300);
    let converged = true;
    for (let i = 0; i < k && converged; i++) {
      let res = 0;
      for (let t = 0; t < d; t++) {
        const diff = next[i * d + t] - e.values[i] * rotated[i * d + t];
        res += diff * diff;
      }
      if (Math.sqrt(res) > tolerance * scale) converged = false;
    }
    if (converged) break;
    orthonormalizeRows(next, block, d);
    q = next;
    z = new Float64Array(block * d);
  }
  return { values: result.values.slice(0, k), vectors: result.vectors.slice(0, k * d) };
}
