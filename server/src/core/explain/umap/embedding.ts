/**
 * From a feature matrix to a 2-D map: PCA (when wider than 32), the k-NN graph (exact below
 * 12,000 points, NN-descent above), UMAP's fuzzy graph and its SGD layout, and the
 * out-of-distribution test on the same reduced features. Synchronous, pure and seeded: it runs in
 * the UMAP worker, or in-process where no worker script exists. Memory is flat typed arrays
 * throughout: at 60,000 points the input matrix is the largest thing it holds.
 */
import { createRandom, deriveSeed } from '../../util/random';
import { fitCurveParams } from './curveParams';
import { fuzzySimplicialSet } from './fuzzyGraph';
import { initialLayout, type LayoutInit } from './layoutInit';
import { layoutEdges, optimizeLayout } from './layoutSgd';
import { findNeighbours, type NeighbourSearch } from './neighbours';
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
  train?: ArrayLike<number>;
  test?: ArrayLike<number>;
  /** Optimisation epochs (default: 500 up to 2,500 points, 400 to 5,000, 300 to 7,500, then 200). */
  epochs?: number;
  /** Default `auto`: exact below 12,000 points. */
  neighbourSearch?: NeighbourSearch;
  /** Default `pca`. */
  init?: LayoutInit;
  /** Points the recall of an approximate graph is measured on (default 200). */
  recallSample?: number;
}

export type EmbeddingPhase = 'pca' | 'neighbours' | 'layout' | 'ood';

export interface EmbeddingResult {
  /** n × 2, row-major. */
  embedding: Float64Array;
  /** Dimensions after PCA, and the variance they keep. */
  dims: number;
  explainedVariance: number;
  epochs: number;
  neighbours: { method: 'exact' | 'nn-descent'; k: number; recall?: number; recallSample?: number };
  outOfDistribution?: OutOfDistribution;
  seconds: Record<EmbeddingPhase, number>;
}

/** umap-js's schedule, which the maps of earlier versions used. */
export function defaultEpochs(n: number): number {
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

export function computeEmbedding(input: EmbeddingInput, onProgress?: (phase: EmbeddingPhase, fraction: number) => void): EmbeddingResult {
  const { n, d } = input;
  if (n < 3) throw new Error(`a map needs at least 3 points, got ${n}`);
  const seconds: Record<EmbeddingPhase, number> = { pca: 0, neighbours: 0, layout: 0, ood: 0 };
  let t = performance.now();
  const lap = (phase: EmbeddingPhase) => {
    const now = performance.now();
    seconds[phase] = (now - t) / 1000;
    t = now;
  };
  onProgress?.('pca', 0);
  const pca = reduceDimensions(input.data, n, d, { seed: input.seed });
  onProgress?.('pca', 1);
  lap('pca');
  const k = Math.max(2, Math.min(input.neighbors, n - 1));
  onProgress?.('neighbours', 0);
  const knn = findNeighbours(pca.scores, n, pca.dims, k, { search: input.neighbourSearch, seed: deriveSeed(input.seed, 1), recallSample: input.recallSample, onProgress: (f) => onProgress?.('neighbours', f) });
  onProgress?.('neighbours', 1);
  lap('neighbours');
  onProgress?.('layout', 0);
  const epochs = input.epochs ?? defaultEpochs(n);
  const graph = fuzzySimplicialSet(knn.graph);
  const edges = layoutEdges(graph, epochs);
  const random = createRandom(input.seed);
  const embedding = initialLayout(input.init ?? 'pca', pca.scores, n, pca.dims, random);
  optimizeLayout(embedding, n, edges, { ...fitCurveParams(1, input.minDist), epochs, random, onEpoch: (e, total) => onProgress?.('layout', e / total) });
  onProgress?.('layout', 1);
  lap('layout');
  let ood: OutOfDistribution | undefined;
  if (input.train && input.test) {
    onProgress?.('ood', 0);
    ood = outOfDistribution(pca.scores, pca.dims, input.train, input.test, { seed: deriveSeed(input.seed, 2), search: input.neighbourSearch });
    onProgress?.('ood', 1);
    lap('ood');
  }
  return {
    embedding,
    dims: pca.dims,
    explainedVariance: pca.explainedVariance,
    epochs,
    neighbours: { method: knn.method, k, ...(knn.recall !== undefined ? { recall: knn.recall, recallSample: knn.recallSample } : {}) },
    outOfDistribution: ood,
    seconds,
  };
}
