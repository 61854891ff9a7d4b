/**
 * Random projection trees (Dasgupta & Freund 2008, as pynndescent builds them for Euclidean
 * data): a node splits its points by the hyperplane halfway between two of them drawn at random,
 * until a leaf holds at most `leafSize` points. Points in one leaf are likely neighbours, so the
 * leaves of a few trees seed NN-descent with a graph that is already mostly right.
 *
 * A tree lives in one permutation of the row indices: each node is a range of it, partitioned in
 * place, so a tree costs one Int32Array of n and nothing per node.
 */
import type { Random } from '../../util/random';

/** Below this |margin| a point is on the hyperplane: it goes to a random side. */
const ON_PLANE = 1e-8;

export interface RpTreeScratch {
  order: Int32Array;
  side: Uint8Array;
  moved: Int32Array;
  normal: Float64Array;
}

export function rpTreeScratch(n: number, d: number): RpTreeScratch {
  return { order: new Int32Array(n), side: new Uint8Array(n), moved: new Int32Array(n), normal: new Float64Array(d) };
}

/**
 * Builds one tree over rows 0 … n − 1 of x (n × d, float32 as the search reads it) and calls `onLeaf(order, start, end)` for each
 * leaf: the rows `order[start … end − 1]`. Leaves come in depth-first order; the tree is discarded.
 */
export function forEachRpLeaf(
  x: Float32Array,
  n: number,
  d: number,
  leafSize: number,
  random: Random,
  scratch: RpTreeScratch,
  onLeaf: (order: Int32Array, start: number, end: number) => void,
): void {
  const { order, side, moved, normal } = scratch;
  for (let i = 0; i < n; i++) order[i] = i;
  const stack: number[] = [0, n];
  while (stack.length > 0) {
    const end = stack.pop()!;
    const start = stack.pop()!;
    const size = end - start;
    if (size <= leafSize) {
      onLeaf(order, start, end);
      continue;
    }
    const a = order[start + random.int(size)];
    let b = order[start + random.int(size - 1)];
    if (b === a) b = order[end - 1];
    // Hyperplane through the midpoint of a and b, normal to a − b: margin = normal · (x − mid).
    let offset = 0;
    for (let t = 0; t < d; t++) {
      const xa = x[a * d + t];
      const xb = x[b * d + t];
      normal[t] = xa - xb;
      offset -= (normal[t] * (xa + xb)) / 2;
    }
    let left = 0;
    for (let s = start; s < end; s++) {
      const p = order[s] * d;
      let m = offset;
      for (let t = 0; t < d; t++) m += normal[t] * x[p + t];
      const goesLeft = m > ON_PLANE ? 1 : m < -ON_PLANE ? 0 : random.next() < 0.5 ? 1 : 0;
      side[s] = goesLeft;
      left += goesLeft;
    }
    // Duplicates (or a and b equal) leave one side empty: split at random instead.
    if (left === 0 || left === size) {
      left = 0;
      for (let s = start; s < end; s++) {
        side[s] = random.next() < 0.5 ? 1 : 0;
        left += side[s];
      }
      if (left === 0 || left === size) {
        for (let s = start; s < end; s++) side[s] = s - start < size >> 1 ? 1 : 0;
        left = size >> 1;
      }
    }
    // Stable partition: left side first.
    let l = start;
    let r = start + left;
    for (let s = start; s < end; s++) {
      if (side[s]) moved[l++] = order[s];
      else moved[r++] = order[s];
    }
    order.set(moved.subarray(start, end), start);
    stack.push(start, start + left, start + left, end);
  }
}
