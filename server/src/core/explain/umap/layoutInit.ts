/**
 * Where the layout starts. `pca`: the first two principal components (the map then keeps the
 * data's large-scale arrangement, which random starts lose: Kobak & Linderman 2021, Nature
 * Biotechnology 39:156); `random`: uniform, as umap-js did. Either is then scaled per axis to
 * [0, 10], as umap-learn does before optimising; a PCA start gets a 1e-4 jitter so that a
 * degenerate axis (data of rank one) can still open up.
 */
import type { Random } from '../../util/random';

export type LayoutInit = 'pca' | 'random';

/** n × 2 starting positions. `scores` are n × dims PCA scores, largest component first. */
export function initialLayout(init: LayoutInit, scores: Float64Array, n: number, dims: number, random: Random): Float64Array {
  const y = new Float64Array(n * 2);
  if (init === 'pca' && dims >= 2) {
    for (let i = 0; i < n; i++) {
      y[2 * i] = scores[i * dims];
      y[2 * i + 1] = scores[i * dims + 1];
    }
  } else {
    for (let t = 0; t < 2 * n; t++) y[t] = random.next() * 20 - 10;
  }
  for (let c = 0; c < 2; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = y[2 * i + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const scale = hi > lo ? 10 / (hi - lo) : 0;
    for (let i = 0; i < n; i++) y[2 * i + c] = (y[2 * i + c] - lo) * scale;
  }
  if (init === 'pca') for (let t = 0; t < 2 * n; t++) y[t] += 1e-4 * random.normal();
  return y;
}
