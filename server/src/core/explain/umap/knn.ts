/**
 * Exact k nearest neighbours (Euclidean) by brute force: n²/2 distances on typed arrays, one
 * bounded heap per point in flat arrays. Below a few thousand points this is faster than building
 * an approximate index, and exact (umap-learn switches to NN-descent at 4,096 points; see neighbours.ts
 * for where this engine switches).
 */
import { NeighbourHeaps, type NeighbourGraph } from './neighbourHeaps';

/** A bounded max-heap of (distance, index): keeps the k smallest distances seen. */
class NearestHeap {
  readonly dist: Float64Array;
  readonly index: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.dist = new Float64Array(k);
    this.index = new Int32Array(k);
  }
  get worst(): number {
    return this.size < this.k ? Infinity : this.dist[0];
  }
  push(d: number, i: number): void {
    const { dist, index } = this;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (dist[p] >= d) break;
        dist[c] = dist[p];
        index[c] = index[p];
        c = p;
      }
      dist[c] = d;
      index[c] = i;
      return;
    }
    if (d >= dist[0]) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= this.k) break;
      const r = l + 1;
      const m = r < this.k && dist[r] > dist[l] ? r : l;
      if (dist[m] <= d) break;
      dist[c] = dist[m];
      index[c] = index[m];
      c = m;
    }
    dist[c] = d;
    index[c] = i;
  }
}

function squaredDistance(x: Float64Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = x[a + t] - x[b + t];
    s += v * v;
  }
  return s;
}

/** The k-NN graph (k counts the point itself), exactly. */
export function nearestNeighbours(x: Float64Array, n: number, d: number, k: number, onProgress?: (fraction: number) => void): NeighbourGraph {
  const heaps = new NeighbourHeaps(n, Math.max(1, Math.min(k - 1, n - 1)));
  const step = Math.max(1, Math.floor(n / 50));
  for (let i = 0; i < n; i++) {
    const a = i * d;
    for (let j = i + 1; j < n; j++) {
      // Partial distance search: the PCA scores come in decreasing variance, so the sum passes
      // both heaps' worst entries after a few dimensions for most pairs, and the rest is skipped.
      const wi = heaps.worst(i);
      const wj = heaps.worst(j);
      const bound = wi > wj ? wi : wj;
      const b = j * d;
      let s = 0;
      let t = 0;
      while (t < d) {
        const end = Math.min(d, t + 4);
        for (; t < end; t++) {
          const v = x[a + t] - x[b + t];
          s += v * v;
        }
        if (s >= bound) break;
      }
      if (s >= bound) continue;
      heaps.pushUnique(i, s, j);
      heaps.pushUnique(j, s, i);
    }
    if (onProgress && i % step === 0) onProgress(1 - ((n - i) / n) ** 2);
  }
  return heaps.toGraph();
}

/**
 * For each query row, the distance to its k-th nearest row of `reference` (rows given by index),
 * skipping the query itself when it belongs to the reference (leave-one-out).
 */
export function kthNeighbourDistance(x: Float64Array, d: number, queries: readonly number[], reference: readonly number[], k: number): Float64Array {
  const out = new Float64Array(queries.length);
  const heap = new NearestHeap(k);
  queries.forEach((q, qi) => {
    heap.size = 0;
    const a = q * d;
    for (const r of reference) {
      if (r === q) continue;
      const s = squaredDistance(x, a, r * d, d);
      if (s < heap.worst) heap.push(s, r);
    }
    out[qi] = heap.size < k ? NaN : Math.sqrt(heap.dist[0]);
  });
  return out;
}
