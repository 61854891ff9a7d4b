/**
 * From a feature matrix to a 2-D map: PCA (when wider than 32), exact k-NN, umap-js, and the
 * out-of-distribution test on the same reduced features. Synchronous and pure: it runs in the
 * UMAP worker, or in-process where no worker script exists.
 */
import { createRandom } from '../../util/random';
import { nearestNeighbours } from './knn';
import { umapLayout } from './layout';
import { outOfDistribution, type OutOfDistribution } from './outOfDistribution';
import { reduceDimensions } from './pca';

export interface EmbeddingInput {
  /** n × d features, row-major. */
  data: Float32Array;
  n: number;
  d: number;
  neighbors: number;
  minDist: number;
  seed: number;
  /** Rows of the training split and of the test split (for the out-of-distribution test). */
  train?: number[];
  test?: number[];
  /** Optimisation epochs (default: umap-js's schedule, 500 up to 2,500 points … 200 above 7,500). */
  epochs?: number;
  /** `umap-js` forces umap-js's own optimisation loop (slower, same result). */
  optimizer?: 'fast' | 'umap-js';
}

export type EmbeddingPhase = 'pca' | 'neighbours' | 'layout';

export interface EmbeddingResult {
  /** n × 2, row-major. */
  embedding: Float64Array;
  /** Dimensions after PCA, and the variance they keep. */
  dims: number;
  explainedVariance: number;
  epochs: number;
  optimizer: 'fast' | 'umap-js';
  outOfDistribution?: OutOfDistribution;
  seconds: Record<EmbeddingPhase, number>;
}

export function computeEmbedding(input: EmbeddingInput, onProgress?: (phase: EmbeddingPhase, fraction: number) => void): EmbeddingResult {
  const { n, d } = input;
  if (n < 3) throw new Error(`a map needs at least 3 points, got ${n}`);
  const seconds: Record<EmbeddingPhase, number> = { pca: 0, neighbours: 0, layout: 0 };
  let t = performance.now();
  onProgress?.('pca', 0);
  const pca = reduceDimensions(input.data, n, d, { seed: input.seed });
  seconds.pca = (performance.now() - t) / 1000;
  t = performance.now();
  // umap-js needs more points than neighbours.
  const neighbors = Math.max(2, Math.min(input.neighbors, n - 1));
  const knn = nearestNeighbours(pca.scores, n, pca.dims, neighbors, (f) => onProgress?.('neighbours', f));
  seconds.neighbours = (performance.now() - t) / 1000;
  t = performance.now();
  const random = createRandom(input.seed);
  const points = Array.from({ length: n }, (_, i) => Array.from(pca.scores.subarray(i * pca.dims, (i + 1) * pca.dims)));
  onProgress?.('layout', 0);
  const layout = umapLayout(points, knn, {
    neighbors,
    minDist: input.minDist,
    random: () => random.next(),
    optimizer: input.optimizer,
    epochs: input.epochs,
    onEpoch: (e, total) => onProgress?.('layout', e / total),
  });
  seconds.layout = (performance.now() - t) / 1000;
  const ood = input.train && input.test ? outOfDistribution(pca.scores, pca.dims, input.train, input.test) : undefined;
  return { embedding: layout.embedding, dims: pca.dims, explainedVariance: pca.explainedVariance, epochs: layout.epochs, optimizer: layout.optimizer, outOfDistribution: ood, seconds };
}
