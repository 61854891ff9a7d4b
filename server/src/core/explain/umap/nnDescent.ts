/**
 * Approximate k nearest neighbours by NN-descent (Dong, Moses & Li 2011), seeded by random
 * projection trees as pynndescent does: a neighbour of a neighbour is likely a neighbour, so each
 * round compares, for every point, the pairs among its recently changed neighbours and reverse
 * neighbours ("local join") and keeps what is closer. Rounds stop when fewer than δ·n·k entries
 * change. Parameters as umap-learn asks pynndescent for them: 5 + n^¼ trees (at most 32), leaves
 * of max(10, k) points, 60 candidates per point, max(5, log₂ n) rounds, δ = 0.001.
 *
 * The search runs on a float32 copy of the points in the leaf order of one extra tree: neighbours
 * then mostly sit close in memory, and a round's random row reads hit the cache (at 60,000 points
 * this halves the time). Distances of the final graph are recomputed in float64 from the input.
 *
 * `accept` restricts the neighbours to a subset (the training images for the out-of-distribution
 * test) while every point still takes part in the joins: a test point then finds its nearest
 * training images through the training images it already knows.
 *
 * Single-threaded and seeded: the same data and seed give the same graph.
 */
import { createRandom, type Random } from '../../util/random';
import { heapPush, NeighbourHeaps, type NeighbourGraph } from './neighbourHeaps';
import { forEachRpLeaf, rpTreeScratch } from './rpForest';

export interface NnDescentOptions {
  seed: number;
  /** Only these points (1) may be neighbours; default all. */
  accept?: Uint8Array;
  trees?: number;
  leafSize?: number;
  maxCandidates?: number;
  rounds?: number;
  delta?: number;
  onProgress?: (fraction: number) => void;
}

export interface NnDescentStats {
  trees: number;
  rounds: number;
  /** Heap entries changed in each round. */
  updates: number[];
  distances: number;
}

/**
 * The graph of the `others` nearest accepted points of each of the n rows of x (n × d): row i is
 * i itself, then its neighbours by ascending distance (umap-learn's layout of a k-NN graph).
 */
export function nnDescent(x: Float64Array, n: number, d: number, others: number, options: NnDescentOptions): { graph: NeighbourGraph; stats: NnDescentStats } {
  const k = others;
  const acceptIn = options.accept;
  let acceptedCount = n;
  if (acceptIn) {
    acceptedCount = 0;
    for (let i = 0; i < n; i++) acceptedCount += acceptIn[i] ? 1 : 0;
  }
  if (k < 1 || k > acceptedCount - 1) throw new RangeError(`NN-descent needs 1 ≤ k < accepted points (k = ${k}, ${acceptedCount} accepted)`);
  const random = createRandom(options.seed);
  const trees = options.trees ?? Math.min(32, 5 + Math.round(n ** 0.25));
  const leafSize = options.leafSize ?? Math.max(10, k);
  const c = options.maxCandidates ?? 60;
  const rounds = options.rounds ?? Math.max(5, Math.round(Math.log2(n)));
  const delta = options.delta ?? 0.001;
  const stats: NnDescentStats = { trees, rounds: 0, updates: [], distances: 0 };
  const report = (f: number) => options.onProgress?.(Math.min(1, f));

  // Reorder: position p holds original row perm[p].
  const scratch = rpTreeScratch(n, d);
  const perm = new Int32Array(n);
  {
    const plain = Float32Array.from(x);
    let at = 0;
    forEachRpLeaf(plain, n, d, leafSize, random, scratch, (order, start, end) => {
      perm.set(order.subarray(start, end), at);
      at += end - start;
    });
  }
  const y = new Float32Array(n * d);
  for (let p = 0; p < n; p++) y.set(x.subarray(perm[p] * d, (perm[p] + 1) * d), p * d);
  let accept: Uint8Array | undefined;
  if (acceptIn) {
    accept = new Uint8Array(n);
    for (let p = 0; p < n; p++) accept[p] = acceptIn[perm[p]] ? 1 : 0;
  }

  const heaps = new NeighbourHeaps(n, k);
  const { keys, indices, flags } = heaps;
  const offer = (p: number, q: number): void => {
    const s = squaredDistance(y, p * d, q * d, d);
    stats.distances++;
    if ((!accept || accept[q]) && s < keys[p * k]) heapPush(keys, indices, flags, p * k, k, s, q, 1);
    if ((!accept || accept[p]) && s < keys[q * k]) heapPush(keys, indices, flags, q * k, k, s, p, 1);
  };
  for (let t = 0; t < trees; t++) {
    forEachRpLeaf(y, n, d, leafSize, random, scratch, (order, start, end) => {
      for (let a = start; a < end; a++) for (let b = a + 1; b < end; b++) offer(order[a], order[b]);
    });
    report((0.2 * (t + 1)) / trees);
  }
  fillFromRandom(heaps, y, d, accept, random, stats);

  // Candidate lists: per point, the c entries with the smallest random priority among its new
  // (resp. old) neighbours and the points that have it as a neighbour.
  const newIdx = new Int32Array(n * c);
  const newPri = new Float64Array(n * c);
  const oldIdx = new Int32Array(n * c);
  const oldPri = new Float64Array(n * c);
  for (let round = 0; round < rounds; round++) {
    newIdx.fill(-1);
    oldIdx.fill(-1);
    newPri.fill(Infinity);
    oldPri.fill(Infinity);
    for (let i = 0; i < n; i++) {
      for (let s = i * k; s < (i + 1) * k; s++) {
        const j = indices[s];
        if (j < 0) continue;
        const priority = random.next();
        if (flags[s]) {
          heapPush(newPri, newIdx, undefined, i * c, c, priority, j);
          heapPush(newPri, newIdx, undefined, j * c, c, priority, i);
        } else {
          heapPush(oldPri, oldIdx, undefined, i * c, c, priority, j);
          heapPush(oldPri, oldIdx, undefined, j * c, c, priority, i);
        }
      }
    }
    // Entries sampled as new candidates are old from now on.
    for (let i = 0; i < n; i++) {
      for (let s = i * k; s < (i + 1) * k; s++) {
        if (!flags[s]) continue;
        const j = indices[s];
        for (let t = i * c; t < (i + 1) * c; t++) {
          if (newIdx[t] === j) {
            flags[s] = 0;
            break;
          }
        }
      }
    }
    const updates = localJoin(y, d, heaps, newIdx, oldIdx, c, accept, stats);
    stats.rounds++;
    stats.updates.push(updates);
    report(0.2 + 0.8 * Math.max((round + 1) / rounds, 1 - updates / Math.max(1, n * k)));
    if (updates <= delta * n * k) break;
  }

  // Back to the input's order, with float64 distances.
  const inv = new Int32Array(n);
  for (let p = 0; p < n; p++) inv[perm[p]] = p;
  const exact = new NeighbourHeaps(n, k);
  for (let i = 0; i < n; i++) {
    const p = inv[i];
    for (let s = p * k; s < (p + 1) * k; s++) {
      if (indices[s] < 0) continue;
      const j = perm[indices[s]];
      exact.pushUnique(i, squaredDistance(x, i * d, j * d, d), j);
    }
  }
  report(1);
  return { graph: exact.toGraph(), stats };
}

function squaredDistance(x: Float32Array | Float64Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = x[a + t] - x[b + t];
    s += v * v;
  }
  return s;
}

/**
 * One round's comparisons: for each point, every pair of its new candidates and every (new, old)
 * pair; each distance is offered to both heaps. The hot loop of the search, kept free of closures.
 */
function localJoin(y: Float32Array, d: number, heaps: NeighbourHeaps, newIdx: Int32Array, oldIdx: Int32Array, c: number, accept: Uint8Array | undefined, stats: NnDescentStats): number {
  const { keys, indices, flags, k, n } = heaps;
  let updates = 0;
  let computed = 0;
  for (let i = 0; i < n; i++) {
    const base = i * c;
    for (let a = 0; a < c; a++) {
      const p = newIdx[base + a];
      if (p < 0) continue;
      const pIn = !accept || accept[p] === 1;
      const pRow = p * d;
      const pHeap = p * k;
      for (let b = a + 1; b < 2 * c; b++) {
        // b < c: the other new candidates; b ≥ c: the old ones.
        const q = b < c ? newIdx[base + b] : oldIdx[base + b - c];
        if (q < 0 || q === p) continue;
        const qIn = !accept || accept[q] === 1;
        if (!pIn && !qIn) continue;
        const qRow = q * d;
        let s = 0;
        for (let t = 0; t < d; t++) {
          const v = y[pRow + t] - y[qRow + t];
          s += v * v;
        }
        computed++;
        if (qIn && s < keys[pHeap]) updates += heapPush(keys, indices, flags, pHeap, k, s, q, 1);
        if (pIn && s < keys[q * k]) updates += heapPush(keys, indices, flags, q * k, k, s, p, 1);
      }
    }
  }
  stats.distances += computed;
  return updates;
}

/** Rows the trees left short (tiny leaves, an accepted set spread thin) get random accepted points. */
function fillFromRandom(heaps: NeighbourHeaps, y: Float32Array, d: number, accept: Uint8Array | undefined, random: Random, stats: NnDescentStats): void {
  const { n, k } = heaps;
  let pool: Int32Array | undefined;
  if (accept) {
    const list: number[] = [];
    for (let i = 0; i < n; i++) if (accept[i]) list.push(i);
    pool = Int32Array.from(list);
  }
  const poolSize = pool ? pool.length : n;
  const offer = (i: number, j: number): number => {
    if (j === i) return 0;
    stats.distances++;
    return heaps.push(i, squaredDistance(y, i * d, j * d, d), j, 1);
  };
  for (let i = 0; i < n; i++) {
    let missing = k - heaps.filled(i);
    for (let tries = 0; missing > 0 && tries < 4 * k + 16; tries++) {
      const r = random.int(poolSize);
      missing -= offer(i, pool ? pool[r] : r);
    }
    // A pool barely larger than k: take the rest in order.
    for (let r = 0; missing > 0 && r < poolSize; r++) missing -= offer(i, pool ? pool[r] : r);
  }
}
