/**
 * Test images far from every training image. A training image's typicality is the distance to
 * its k-th nearest other training image; a test image is out of distribution when its distance
 * to its k-th nearest training image exceeds the 99th percentile of those training distances
 * (numpy's linear percentile). Distances are measured on the features the map is built from (the
 * PCA scores), not on the 2-D map, whose distances UMAP does not preserve.
 *
 * Exact below EXACT_OOD_BELOW points; above, one NN-descent over all points that accepts only
 * training images as neighbours (brute force over 42,000 training images was a minute; its
 * distances are full ones, without the k-NN graph's partial distance search, hence the lower
 * switch than the map's).
 */
import { quantileSorted } from '../../metrics';
import { kthNeighbourDistance } from './knn';
import { SEARCH_EXTRA } from './neighbours';
import { nnDescent } from './nnDescent';

export const OOD_NEIGHBOURS = 5;
export const OOD_PERCENTILE = 99;
export const EXACT_OOD_BELOW = 4096;

export interface OutOfDistribution {
  k: number;
  /** The training images' 99th percentile of k-th neighbour distances. */
  threshold: number;
  /** Per test row (in the order given): its k-th nearest training distance and the verdict. */
  distances: Float64Array;
  flags: boolean[];
  method: 'exact' | 'nn-descent';
}

/** undefined when there are too few training images (fewer than k + 1) or no test image. */
export function outOfDistribution(
  x: Float64Array,
  d: number,
  train: ArrayLike<number>,
  test: ArrayLike<number>,
  options: { k?: number; seed?: number; search?: 'auto' | 'exact' | 'approximate' } = {},
): OutOfDistribution | undefined {
  const k = options.k ?? OOD_NEIGHBOURS;
  if (train.length < k + 1 || test.length === 0) return undefined;
  const n = x.length / d;
  const search = options.search ?? 'auto';
  const approximate = search === 'approximate' || (search === 'auto' && n >= EXACT_OOD_BELOW && train.length > k + SEARCH_EXTRA + 1);
  let trainDistances: Float64Array;
  let distances: Float64Array;
  if (approximate) {
    const accept = new Uint8Array(n);
    for (let t = 0; t < train.length; t++) accept[train[t]] = 1;
    const graph = nnDescent(x, n, d, k + SEARCH_EXTRA, { seed: options.seed ?? 0, accept }).graph;
    // Column k of a row is its k-th nearest accepted point other than itself.
    const kth = (row: number) => graph.distances[row * graph.k + k];
    trainDistances = Float64Array.from({ length: train.length }, (_, t) => kth(train[t]));
    distances = Float64Array.from({ length: test.length }, (_, t) => kth(test[t]));
  } else {
    trainDistances = kthNeighbourDistance(x, d, Array.from(train), Array.from(train), k);
    distances = kthNeighbourDistance(x, d, Array.from(test), Array.from(train), k);
  }
  const threshold = quantileSorted(Float64Array.from(trainDistances).sort(), OOD_PERCENTILE / 100);
  return { k, threshold, distances, flags: Array.from(distances, (v) => v > threshold), method: approximate ? 'nn-descent' : 'exact' };
}
