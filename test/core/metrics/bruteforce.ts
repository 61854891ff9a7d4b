/**
 * Brute-force reference implementations for the metric tests, written from the definitions in
 * RESULTS.md "Metric conventions" and deliberately naive (all pairs, full scans), so they share
 * no code or trick with the kernels they check.
 */

export type Size3 = [number, number, number];

/** numpy.percentile(values, 100·q) with the default linear method: (n−1)·q, interpolate. */
export function numpyPercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

export function coordinates(index: number, size: Size3): [number, number, number] {
  const [w, h] = size;
  return [index % w, Math.floor(index / w) % h, Math.floor(index / (w * h))];
}

function at(mask: Uint8Array, size: Size3, x: number, y: number, z: number): number {
  const [w, h, d] = size;
  if (x < 0 || y < 0 || z < 0 || x >= w || y >= h || z >= d) return -1;
  return mask[(z * h + y) * w + x];
}

/** Foreground pixels with a background 4- (2D) or 6- (3D) neighbour, or at the image edge. */
export function bruteBorder(mask: Uint8Array, size: Size3): number[] {
  const out: number[] = [];
  const steps =
    size[2] > 1
      ? [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]
      : [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const [x, y, z] = coordinates(i, size);
    // a neighbour outside the image (-1) or a background one (0) makes this a border pixel
    if (steps.some(([dx, dy, dz]) => at(mask, size, x + dx, y + dy, z + dz) !== 1)) out.push(i);
  }
  return out;
}

export function distanceBetween(i: number, j: number, size: Size3, spacing: Size3): number {
  const [xi, yi, zi] = coordinates(i, size);
  const [xj, yj, zj] = coordinates(j, size);
  return Math.hypot((xi - xj) * spacing[0], (yi - yj) * spacing[1], (zi - zj) * spacing[2]);
}

/** For each pixel of `from`, the distance to the nearest pixel of `to` (all pairs). */
export function bruteDirected(from: number[], to: number[], size: Size3, spacing: Size3): number[] {
  return from.map((i) => Math.min(...to.map((j) => distanceBetween(i, j, size, spacing))));
}

export interface BruteSurface {
  hd95: number | undefined;
  hausdorff: number | undefined;
  assd: number | undefined;
}

export function bruteSurface(ref: Uint8Array, pred: Uint8Array, size: Size3, spacing: Size3): BruteSurface {
  const refEmpty = !ref.some((v) => v !== 0);
  const predEmpty = !pred.some((v) => v !== 0);
  if (refEmpty && predEmpty) return { hd95: 0, hausdorff: 0, assd: 0 };
  if (refEmpty || predEmpty) return { hd95: undefined, hausdorff: undefined, assd: undefined };
  const a = bruteBorder(ref, size);
  const b = bruteBorder(pred, size);
  const ab = bruteDirected(a, b, size, spacing);
  const ba = bruteDirected(b, a, size, spacing);
  const all = [...ab, ...ba];
  return {
    hd95: Math.max(numpyPercentile(ab, 0.95), numpyPercentile(ba, 0.95)),
    hausdorff: Math.max(...all),
    assd: all.reduce((s, v) => s + v, 0) / all.length,
  };
}

/** AUROC by counting every (positive, negative) pair: 1 when the positive scores higher, ½ on ties. */
export function bruteAuroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | undefined {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? pos : neg).push(scores[i]);
  if (pos.length === 0 || neg.length === 0) return undefined;
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

export function maskFromRows(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (c) => (c === '1' ? 1 : 0));
}

export function assertClose(actual: number | undefined, expected: number | undefined, tolerance: number, what: string): void {
  if (expected === undefined || actual === undefined) {
    if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
    return;
  }
  if (!(Math.abs(actual - expected) <= tolerance)) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}
