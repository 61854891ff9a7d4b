/**
 * Test images far from every training image. A training image's typicality is the distance to
 * its k-th nearest other training image; a test image is out of distribution when its distance
 * to its k-th nearest training image exceeds the 99th percentile of those training distances
 * (numpy's linear percentile). Distances are measured on the features the map is built from (the
 * PCA scores), not on the 2-D map, whose distances UMAP does not preserve.
 */
import { quantileSorted } from '../../metrics';
import { kthNeighbourDistance } from './knn';

export const OOD_NEIGHBOURS = 5;
export const OOD_PERCENTILE = 99;

export interface OutOfDistribution {
  k: number;
  /** The training images' 99th percentile of k-th neighbour distances. */
  threshold: number;
  /** Per test row (in the order given): its k-th nearest training distance and the verdict. */
  distances: Float64Array;
  flags: boolean[];
}

/** undefined when there are too few training images (fewer than k + 1) or no test image. */
export function outOfDistribution(x: Float64Array, d: number, train: readonly number[], test: readonly number[], k = OOD_NEIGHBOURS): OutOfDistribution | undefined {
  if (train.length < k + 1 || test.length === 0) return undefined;
  const trainDistances = Float64Array.from(kthNeighbourDistance(x, d, train, train, k)).sort();
  const threshold = quantileSorted(trainDistances, OOD_PERCENTILE / 100);
  const distances = kthNeighbourDistance(x, d, test, train, k);
  return { k, threshold, distances, flags: Array.from(distances, (v) => v > threshold) };
}
