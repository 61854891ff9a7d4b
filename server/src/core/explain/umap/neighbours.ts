/**
 * The k-NN graph the map is built from: exact below EXACT_NEIGHBOURS_BELOW points, NN-descent
 * above, searching SEARCH_EXTRA more neighbours than it keeps (at 60,000 clustered points on 32 PCA
 * dimensions this raised the recall from 0.955 to 0.988 for a third more time). umap-learn
 * switches at 4,096 points; here the brute force with its partial distance search was still the
 * faster of the two at 10,000 points (1.2 s against 1.6 s CPU, bench/umap-knn.ts), so the switch
 * is at 12,000. An approximate graph comes with its recall measured against brute force on a
 * seeded sample of points, so umap.json says how approximate it is.
 */
import { createRandom } from '../../util/random';
import { nearestNeighbours } from './knn';
import type { NeighbourGraph } from './neighbourHeaps';
import { nnDescent } from './nnDescent';

export const EXACT_NEIGHBOURS_BELOW = 12_000;
export const SEARCH_EXTRA = 4;
export const RECALL_SAMPLE = 200;

export type NeighbourSearch = 'auto' | 'exact' | 'approximate';

export interface NeighbourResult {
  graph: NeighbourGraph;
  method: 'exact' | 'nn-descent';
  /** Approximate graphs: the share of true k-NN found, measured on `recallSample` points. */
  recall?: number;
  recallSample?: number;
}

/** The graph with k columns (the point itself first); k ≤ n. */
export function findNeighbours(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  options: { search?: NeighbourSearch; seed: number; recallSample?: number; onProgress?: (fraction: number) => void },
): NeighbourResult {
  const others = k - 1;
  const search = options.search ?? 'auto';
  const exact = search === 'exact' || (search === 'auto' && n < EXACT_NEIGHBOURS_BELOW) || others + SEARCH_EXTRA >= n - 1;
  if (exact) return { graph: nearestNeighbours(x, n, d, k, options.onProgress), method: 'exact' };
  const wide = nnDescent(x, n, d, others + SEARCH_EXTRA, { seed: options.seed, onProgress: (f) => options.onProgress?.(0.95 * f) }).graph;
  const graph = keepColumns(wide, k);
  const sample = Math.min(options.recallSample ?? RECALL_SAMPLE, n);
  const recall = sampledRecall(x, n, d, graph, sample, options.seed);
  options.onProgress?.(1);
  return { graph, method: 'nn-descent', recall, recallSample: sample };
}

/** The first k columns of each row. */
export function keepColumns(graph: NeighbourGraph, k: number): NeighbourGraph {
  const { n } = graph;
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    indices.set(graph.indices.subarray(i * graph.k, i * graph.k + k), i * k);
    distances.set(graph.distances.subarray(i * graph.k, i * graph.k + k), i * k);
  }
  return { n, k, indices, distances };
}

/**
 * Share of the true k − 1 nearest others found, on `sample` seeded points by brute force. A found
 * neighbour counts when it is no farther than the true (k − 1)-th: ties are not misses.
 */
export function sampledRecall(x: Float64Array, n: number, d: number, graph: NeighbourGraph, sample: number, seed: number): number {
  const others = graph.k - 1;
  const random = createRandom(seed + 7919);
  const dist = new Float64Array(n);
  const scratch = new Float64Array(n);
  let found = 0;
  let total = 0;
  for (let s = 0; s < sample; s++) {
    const i = sample >= n ? s : random.int(n);
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < d; t++) {
        const v = x[i * d + t] - x[j * d + t];
        sum += v * v;
      }
      dist[j] = sum;
    }
    dist[i] = Infinity;
    const kth = kthSmallest(dist, others, scratch);
    for (let t = 1; t <= others; t++) {
      const j = graph.indices[i * graph.k + t];
      total++;
      if (j >= 0 && dist[j] <= kth) found++;
    }
  }
  return total > 0 ? found / total : 1;
}

/** The k-th smallest value (1-based) of `values` (quickselect on `scratch`, a buffer of the same length). */
function kthSmallest(values: Float64Array, k: number, scratch: Float64Array): number {
  const a = scratch;
  a.set(values);
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}
