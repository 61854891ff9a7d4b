/**
 * UMAP's layout optimisation (McInnes, Healy & Melville 2018, §4; umap-learn's
 * optimize_layout_euclidean): stochastic gradient descent over the edges of the fuzzy graph,
 * each edge sampled in proportion to its weight (epochs per sample = max weight / weight, edges
 * below max/epochs left out), an attractive step that moves both ends, then `negativeRate`
 * repulsive pushes from random points that move the head only; each push clipped to ±4, the
 * learning rate falling linearly to 0.
 *
 * Everything is flat: head/tail indices (Int32Array), per-edge schedules (Float64Array), the
 * embedding as n × 2 (Float64Array). The random stream is the engine's seeded PRNG, drawn in one
 * fixed order, so the same inputs give the same map, byte for byte. Coincident points repel with
 * zero force (as umap-learn ≥ 0.5): identical images stay on one spot instead of being pushed
 * apart along an arbitrary diagonal. Powers come from a table (powTable.ts), not Math.pow.
 */
import type { Random } from '../../util/random';
import type { CurveParams } from './curveParams';
import type { FuzzyGraph } from './fuzzyGraph';
import { PowTable } from './powTable';

export interface LayoutEdges {
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
}

/** The edges the layout samples: both directions of each, weight ≥ max/epochs, in CSR order. */
export function layoutEdges(graph: FuzzyGraph, epochs: number): LayoutEdges {
  const { n, rowStart, cols, values } = graph;
  let max = 0;
  for (let t = 0; t < values.length; t++) if (values[t] > max) max = values[t];
  const floor = max / epochs;
  let count = 0;
  for (let t = 0; t < values.length; t++) if (values[t] >= floor && values[t] > 0) count++;
  const head = new Int32Array(count);
  const tail = new Int32Array(count);
  const epochsPerSample = new Float64Array(count);
  let e = 0;
  for (let i = 0; i < n; i++) {
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      const w = values[t];
      if (!(w >= floor && w > 0)) continue;
      head[e] = i;
      tail[e] = cols[t];
      epochsPerSample[e] = max / w;
      e++;
    }
  }
  return { head, tail, epochsPerSample };
}

export interface SgdOptions extends CurveParams {
  epochs: number;
  negativeRate?: number;
  /** Weight of the repulsion (umap-learn's repulsion_strength). */
  gamma?: number;
  learningRate?: number;
  random: Random;
  onEpoch?: (epoch: number, epochs: number) => void;
}

function clip(v: number): number {
  return v > 4 ? 4 : v < -4 ? -4 : v;
}

/** Optimises `y` (n × 2, row-major) in place. */
export function optimizeLayout(y: Float64Array, n: number, edges: LayoutEdges, options: SgdOptions): void {
  const { head, tail, epochsPerSample } = edges;
  const { a, b, epochs, random } = options;
  const gamma = options.gamma ?? 1;
  const negativeRate = options.negativeRate ?? 5;
  const initialAlpha = options.learningRate ?? 1;
  const m = head.length;
  const nextSample = Float64Array.from(epochsPerSample);
  const perNegative = Float64Array.from(epochsPerSample, (e) => e / negativeRate);
  const nextNegative = Float64Array.from(perNegative);
  const attract = -2 * a * b;
  const repel = 2 * gamma * b;
  const power = new PowTable(b);
  // Negative samples draw from the seeded stream in batches (one call per 4,096 draws).
  const draws = new Uint32Array(4096);
  let drawn = draws.length;
  const toIndex = n / 4294967296;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const alpha = initialAlpha * (1 - epoch / epochs);
    for (let i = 0; i < m; i++) {
      if (nextSample[i] > epoch) continue;
      const j = head[i] * 2;
      const k = tail[i] * 2;
      let yj0 = y[j];
      let yj1 = y[j + 1];
      const dx = yj0 - y[k];
      const dy = yj1 - y[k + 1];
      const d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const pb = power.pow(d2);
        // −2ab·d^(2(b−1)) / (1 + a·d^(2b)), with d^(2(b−1)) = d2^b / d2.
        const coeff = (attract * pb) / d2 / (a * pb + 1);
        const gx = clip(coeff * dx) * alpha;
        const gy = clip(coeff * dy) * alpha;
        yj0 += gx;
        yj1 += gy;
        y[k] -= gx;
        y[k + 1] -= gy;
      }
      nextSample[i] += epochsPerSample[i];
      const negatives = Math.floor((epoch - nextNegative[i]) / perNegative[i]);
      // The negatives' pushes are summed and applied together: each is computed from the same
      // position, so they do not wait on one another (a fifth faster; umap-learn applies each as
      // it goes, a difference far below what the map can show).
      let sx = 0;
      let sy = 0;
      for (let p = 0; p < negatives; p++) {
        if (drawn === draws.length) {
          random.fillUint32(draws);
          drawn = 0;
        }
        const o = Math.floor(draws[drawn++] * toIndex) * 2;
        if (o === j) continue;
        const ex = yj0 - y[o];
        const ey = yj1 - y[o + 1];
        const e2 = ex * ex + ey * ey;
        if (e2 > 0) {
          const coeff = repel / ((0.001 + e2) * (a * power.pow(e2) + 1));
          sx += clip(coeff * ex);
          sy += clip(coeff * ey);
        }
      }
      yj0 += sx * alpha;
      yj1 += sy * alpha;
      y[j] = yj0;
      y[j + 1] = yj1;
      if (negatives > 0) nextNegative[i] += negatives * perNegative[i];
    }
    options.onEpoch?.(epoch + 1, epochs);
  }
}
