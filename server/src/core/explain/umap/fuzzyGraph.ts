/**
 * UMAP's fuzzy simplicial set (McInnes, Healy & Melville 2018, §3): each point's k-NN distances
 * become memberships exp(−(d − ρᵢ)/σᵢ), with ρᵢ the distance to its nearest other point and σᵢ
 * chosen so the memberships sum to log₂ k; the directed graph is symmetrised by the fuzzy union
 * w + w' − w·w'. The result is a symmetric sparse matrix in CSR form (rows ascending, columns
 * ascending within a row), both directions of every edge stored, as the layout samples them.
 * Constants as in umap-learn: 64 bisection steps, tolerance 1e-5, σ at least 1e-3 of the mean
 * distance; local connectivity 1 and bandwidth 1.
 */
import type { NeighbourGraph } from './neighbourHeaps';

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;
const BISECTION_STEPS = 64;

export interface SmoothDistances {
  /** Per point: the distance to its nearest other point at a positive distance (0 when none). */
  rhos: Float64Array;
  sigmas: Float64Array;
}

/** ρ and σ per point (umap-learn's smooth_knn_dist with local connectivity 1). */
export function smoothKnnDistances(graph: NeighbourGraph): SmoothDistances {
  const { n, k, indices, distances } = graph;
  const target = Math.log2(k);
  const rhos = new Float64Array(n);
  const sigmas = new Float64Array(n);
  let sumAll = 0;
  let countAll = 0;
  for (let t = 0; t < n * k; t++) {
    if (indices[t] < 0) continue;
    sumAll += distances[t];
    countAll++;
  }
  const meanAll = countAll > 0 ? sumAll / countAll : 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let rho = 0;
    let sum = 0;
    let count = 0;
    for (let t = 0; t < k; t++) {
      if (indices[row + t] < 0) continue;
      const dist = distances[row + t];
      if (rho === 0 && dist > 0) rho = dist;
      sum += dist;
      count++;
    }
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      let psum = 0;
      for (let t = 1; t < k; t++) {
        if (indices[row + t] < 0) continue;
        const dd = distances[row + t] - rho;
        psum += dd > 0 ? Math.exp(-dd / mid) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    const floor = MIN_K_DIST_SCALE * (rho > 0 ? (count > 0 ? sum / count : 0) : meanAll);
    rhos[i] = rho;
    sigmas[i] = mid < floor ? floor : mid;
  }
  return { rhos, sigmas };
}

/** A symmetric sparse matrix: row i's entries are cols/values[rowStart[i] … rowStart[i + 1] − 1]. */
export interface FuzzyGraph {
  n: number;
  rowStart: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/** Membership of edge t (row i, slot ≥ 1) of the k-NN graph. */
function membership(graph: NeighbourGraph, smooth: SmoothDistances, i: number, t: number): number {
  const dd = graph.distances[t] - smooth.rhos[i];
  if (dd <= 0 || smooth.sigmas[i] === 0) return 1;
  return Math.exp(-dd / smooth.sigmas[i]);
}

/** The fuzzy union of the directed membership graph and its transpose. */
export function fuzzySimplicialSet(graph: NeighbourGraph): FuzzyGraph {
  const { n, k, indices } = graph;
  const smooth = smoothKnnDistances(graph);
  /** Slot of i in row j, or −1. */
  const reverseSlot = (i: number, j: number): number => {
    for (let t = j * k + 1; t < (j + 1) * k; t++) if (indices[t] === i) return t;
    return -1;
  };
  // Each undirected edge is met once: from its only directed side, or from the smaller index.
  const forEachEdge = (visit: (i: number, j: number, w: number) => void) => {
    for (let i = 0; i < n; i++) {
      for (let t = i * k + 1; t < (i + 1) * k; t++) {
        const j = indices[t];
        if (j < 0 || j === i) continue;
        const w = membership(graph, smooth, i, t);
        const back = reverseSlot(i, j);
        if (back >= 0 && j < i) continue;
        const w2 = back >= 0 ? membership(graph, smooth, j, back) : 0;
        const union = w + w2 - w * w2;
        if (union > 0) visit(i, j, union);
      }
    }
  };
  const degree = new Int32Array(n + 1);
  forEachEdge((i, j) => {
    degree[i + 1]++;
    degree[j + 1]++;
  });
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + degree[i + 1];
  const edges = rowStart[n];
  const cols = new Int32Array(edges);
  const values = new Float64Array(edges);
  const fill = Int32Array.from(rowStart.subarray(0, n));
  forEachEdge((i, j, w) => {
    cols[fill[i]] = j;
    values[fill[i]++] = w;
    cols[fill[j]] = i;
    values[fill[j]++] = w;
  });
  // Columns ascending within each row (insertion sort: rows hold about 2k entries).
  for (let i = 0; i < n; i++) {
    for (let a = rowStart[i] + 1; a < rowStart[i + 1]; a++) {
      const c = cols[a];
      const v = values[a];
      let b = a - 1;
      while (b >= rowStart[i] && cols[b] > c) {
        cols[b + 1] = cols[b];
        values[b + 1] = values[b];
        b--;
      }
      cols[b + 1] = c;
      values[b + 1] = v;
    }
  }
  return { n, rowStart, cols, values };
}
