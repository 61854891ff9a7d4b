/**
 * The UMAP embedding, with umap-js: our exact k-NN graph goes in through `setPrecomputedKNN`,
 * umap-js builds the fuzzy simplicial set, the initial layout and the epoch schedule, and the
 * layout is optimised epoch by epoch with the seeded random function we pass.
 *
 * The optimisation is the one step of umap-js 1.4 that is slow at 10,000 points (about 20 s:
 * nested arrays and closures per edge). `optimizeLayoutFast` runs the same loop on typed arrays
 * over umap-js's own prepared state: the same edges, schedule, clipping, learning rate and calls
 * to the random function, in the same order, so it gives the same embedding as `step()` bit for
 * bit (a test holds it to that) in a fraction of the time. Should umap-js's internals ever
 * differ from what this expects, the embedding falls back to umap-js's own `step()`.
 */
import { UMAP } from 'umap-js';
import type { NeighbourGraph } from './knn';

export interface UmapParameters {
  neighbors: number;
  minDist: number;
  /** Uniform [0, 1) numbers; umap-js draws its initial layout and negative samples from it. */
  random: () => number;
  /** Default: umap-js's schedule (500 epochs up to 2,500 points … 200 above 7,500). */
  epochs?: number;
  /** `umap-js` runs umap-js's own step(); `fast` (default) the typed-array loop. */
  optimizer?: 'fast' | 'umap-js';
  onEpoch?: (epoch: number, epochs: number) => void;
}

export interface UmapLayout {
  /** n × 2, row-major. */
  embedding: Float64Array;
  epochs: number;
  optimizer: 'fast' | 'umap-js';
}

/** umap-js's private optimisation state, as 1.4.0 lays it out. */
interface OptimizationState {
  head: number[];
  tail: number[];
  headEmbedding: number[][];
  tailEmbedding: number[][];
  epochsPerSample: number[];
  epochOfNextSample: number[];
  epochOfNextNegativeSample: number[];
  epochsPerNegativeSample: number[];
  moveOther: boolean;
  initialAlpha: number;
  alpha: number;
  gamma: number;
  a: number;
  b: number;
  dim: number;
  nEpochs: number;
  nVertices: number;
  currentEpoch: number;
}

function isExpectedState(s: unknown, n: number): s is OptimizationState {
  const o = s as Partial<OptimizationState> | undefined;
  if (!o || !Array.isArray(o.head) || !Array.isArray(o.tail) || !Array.isArray(o.epochsPerSample)) return false;
  if (!Array.isArray(o.headEmbedding) || o.headEmbedding.length !== n || o.headEmbedding !== o.tailEmbedding) return false;
  return (
    Array.isArray(o.epochOfNextSample) &&
    Array.isArray(o.epochOfNextNegativeSample) &&
    Array.isArray(o.epochsPerNegativeSample) &&
    o.moveOther === true &&
    [o.initialAlpha, o.alpha, o.gamma, o.a, o.b, o.dim, o.nEpochs, o.nVertices, o.currentEpoch].every((v) => typeof v === 'number')
  );
}

export function umapLayout(points: number[][], knn: NeighbourGraph, params: UmapParameters): UmapLayout {
  const umap = new UMAP({ nComponents: 2, nNeighbors: params.neighbors, minDist: params.minDist, random: params.random, nEpochs: params.epochs ?? 0 });
  umap.setPrecomputedKNN(knn.indices, knn.distances);
  const epochs = umap.initializeFit(points);
  const state = (umap as unknown as { optimizationState: unknown }).optimizationState;
  if ((params.optimizer ?? 'fast') === 'fast' && isExpectedState(state, points.length) && state.dim === 2) {
    return { embedding: optimizeLayoutFast(state, epochs, params.random, params.onEpoch), epochs, optimizer: 'fast' };
  }
  for (let e = 0; e < epochs; e++) {
    umap.step();
    params.onEpoch?.(e + 1, epochs);
  }
  const embedding = new Float64Array(points.length * 2);
  umap.getEmbedding().forEach((p, i) => {
    embedding[2 * i] = p[0];
    embedding[2 * i + 1] = p[1];
  });
  return { embedding, epochs, optimizer: 'umap-js' };
}

function clip(x: number): number {
  return x > 4 ? 4 : x < -4 ? -4 : x;
}

/** umap-js's `optimizeLayoutStep`, epochs `currentEpoch … epochs − 1`, on typed arrays (2-D only). */
function optimizeLayoutFast(s: OptimizationState, epochs: number, random: () => number, onEpoch?: (epoch: number, epochs: number) => void): Float64Array {
  const n = s.headEmbedding.length;
  const y = new Float64Array(n * 2);
  s.headEmbedding.forEach((p, i) => {
    y[2 * i] = p[0];
    y[2 * i + 1] = p[1];
  });
  const head = Int32Array.from(s.head);
  const tail = Int32Array.from(s.tail);
  const epochsPerSample = Float64Array.from(s.epochsPerSample);
  const nextSample = Float64Array.from(s.epochOfNextSample);
  const nextNegative = Float64Array.from(s.epochOfNextNegativeSample);
  const perNegative = Float64Array.from(s.epochsPerNegativeSample);
  const { a, b, gamma, initialAlpha, nVertices } = s;
  const nEpochs = s.nEpochs;
  let alpha = s.alpha;
  const edges = epochsPerSample.length;
  for (let epoch = s.currentEpoch; epoch < epochs; epoch++) {
    for (let i = 0; i < edges; i++) {
      if (nextSample[i] > epoch) continue;
      const j = head[i] * 2;
      const k = tail[i] * 2;
      let dx = y[j] - y[k];
      let dy = y[j + 1] - y[k + 1];
      const dist = Math.pow(dx, 2) + Math.pow(dy, 2);
      let coeff = 0;
      if (dist > 0) {
        coeff = -2.0 * a * b * Math.pow(dist, b - 1.0);
        coeff /= a * Math.pow(dist, b) + 1.0;
      }
      let g = clip(coeff * dx);
      y[j] += g * alpha;
      y[k] += -g * alpha;
      g = clip(coeff * dy);
      y[j + 1] += g * alpha;
      y[k + 1] += -g * alpha;
      nextSample[i] += epochsPerSample[i];
      const negatives = Math.floor((epoch - nextNegative[i]) / perNegative[i]);
      for (let p = 0; p < negatives; p++) {
        const o = Math.floor(random() * nVertices) * 2;
        dx = y[j] - y[o];
        dy = y[j + 1] - y[o + 1];
        const d2 = Math.pow(dx, 2) + Math.pow(dy, 2);
        let c = 0.0;
        if (d2 > 0.0) {
          c = 2.0 * gamma * b;
          c /= (0.001 + d2) * (a * Math.pow(d2, b) + 1);
        } else if (j === o) {
          continue;
        }
        let gx = 4.0;
        if (c > 0.0) gx = clip(c * dx);
        y[j] += gx * alpha;
        let gy = 4.0;
        if (c > 0.0) gy = clip(c * dy);
        y[j + 1] += gy * alpha;
      }
      nextNegative[i] += negatives * perNegative[i];
    }
    alpha = initialAlpha * (1.0 - epoch / nEpochs);
    onEpoch?.(epoch + 1, epochs);
  }
  return y;
}
