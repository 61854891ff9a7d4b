/**
 * n bounded max-heaps of (distance, index, flag) in three flat arrays, row i at [i·k, (i+1)·k):
 * the k nearest candidates seen for each point, the worst at the row's root. Empty slots hold
 * (Infinity, −1), so a row is a valid heap from the start and a push only ever replaces the root.
 * Exact search and NN-descent share it; one typed array per field, never an object per point.
 */

export interface NeighbourGraph {
  n: number;
  /** Neighbours per point, the point itself included (umap-learn's convention): row i is i, then its k − 1 nearest others. */
  k: number;
  /** n × k, row-major; −1 where fewer than k − 1 others exist. */
  indices: Int32Array;
  /** n × k Euclidean distances, ascending in each row (0 for the point itself; Infinity for −1). */
  distances: Float64Array;
}

/** Sifts (key, index, flag) down from the root of the heap at [base, base + size). */
function siftDown(keys: Float64Array, indices: Int32Array, flags: Uint8Array | undefined, base: number, size: number, key: number, index: number, flag: number): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const m = r < size && keys[base + r] > keys[base + l] ? r : l;
    if (keys[base + m] <= key) break;
    keys[base + c] = keys[base + m];
    indices[base + c] = indices[base + m];
    if (flags) flags[base + c] = flags[base + m];
    c = m;
  }
  keys[base + c] = key;
  indices[base + c] = index;
  if (flags) flags[base + c] = flag;
}

/**
 * Pushes (key, index) into the max-heap at [base, base + size) when the key is below the root and
 * the index is not there yet; returns 1 when the heap changed. Rows are short (k ≤ a few dozen), so
 * the duplicate check is a scan.
 */
export function heapPush(keys: Float64Array, indices: Int32Array, flags: Uint8Array | undefined, base: number, size: number, key: number, index: number, flag = 0): number {
  if (!(key < keys[base])) return 0;
  for (let t = 0; t < size; t++) if (indices[base + t] === index) return 0;
  siftDown(keys, indices, flags, base, size, key, index, flag);
  return 1;
}

export class NeighbourHeaps {
  /** Squared distances (the order is the same, and no square root is taken until the end). */
  readonly keys: Float64Array;
  readonly indices: Int32Array;
  /** 1: not yet used by NN-descent's local join ("new"). */
  readonly flags: Uint8Array;

  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.keys = new Float64Array(n * k).fill(Infinity);
    this.indices = new Int32Array(n * k).fill(-1);
    this.flags = new Uint8Array(n * k);
  }

  /** The root: the largest squared distance kept for point i (Infinity while the row has room). */
  worst(i: number): number {
    return this.keys[i * this.k];
  }

  push(i: number, squaredDistance: number, j: number, flag = 1): number {
    return heapPush(this.keys, this.indices, this.flags, i * this.k, this.k, squaredDistance, j, flag);
  }

  /** For exact search, where each pair is offered once: no duplicate scan. */
  pushUnique(i: number, squaredDistance: number, j: number): void {
    const base = i * this.k;
    if (!(squaredDistance < this.keys[base])) return;
    siftDown(this.keys, this.indices, undefined, base, this.k, squaredDistance, j, 0);
  }

  /** Number of filled slots of row i. */
  filled(i: number): number {
    let c = 0;
    for (let t = i * this.k; t < (i + 1) * this.k; t++) if (this.indices[t] >= 0) c++;
    return c;
  }

  /** The graph: each row sorted by distance (then index), the point itself prepended. */
  toGraph(): NeighbourGraph {
    const { n, k } = this;
    const width = k + 1;
    const indices = new Int32Array(n * width);
    const distances = new Float64Array(n * width);
    const order = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const base = i * k;
      for (let t = 0; t < k; t++) order[t] = base + t;
      // Insertion sort: rows are short.
      for (let a = 1; a < k; a++) {
        const s = order[a];
        let b = a - 1;
        while (b >= 0 && this.before(s, order[b])) {
          order[b + 1] = order[b];
          b--;
        }
        order[b + 1] = s;
      }
      const o = i * width;
      indices[o] = i;
      distances[o] = 0;
      for (let t = 0; t < k; t++) {
        const s = order[t];
        indices[o + 1 + t] = this.indices[s];
        distances[o + 1 + t] = this.indices[s] < 0 ? Infinity : Math.sqrt(this.keys[s]);
      }
    }
    return { n, k: width, indices, distances };
  }

  /** Slot s sorts before slot t: smaller distance, then smaller index, empty slots last. */
  private before(s: number, t: number): boolean {
    const a = this.indices[s];
    const b = this.indices[t];
    if (a < 0 || b < 0) return b < 0 && a >= 0;
    return this.keys[s] < this.keys[t] || (this.keys[s] === this.keys[t] && a < b);
  }
}
