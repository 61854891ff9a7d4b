/**
 * Exact Euclidean distance transform in linear time (Felzenszwalb & Huttenlocher, "Distance
 * Transforms of Sampled Functions", 2012): separable 1D lower envelopes of parabolas, one axis
 * after the other, with anisotropic pixel spacing. Works on 2D (depth 1) and 3D grids in our
 * layout (x fastest, then y, then z). Buffers are reused between calls: no per-pixel allocation.
 */

/** Grid size in pixels: width (x), height (y), depth (z; 1 for 2D). */
export type GridSize = readonly [width: number, height: number, depth: number];
/** Physical size of a pixel along x, y, z (mm, or 1 when unknown). */
export type Spacing = readonly [number, number, number];

/** Scratch space for the transforms, grown on demand and reused. */
export class DistanceScratch {
  /** Lower envelope of one line: parabola positions (physical), their f values, f + position². */
  positions = new Float64Array(0);
  values = new Float64Array(0);
  heights = new Float64Array(0);
  bounds = new Float64Array(0);
  /** Which x columns (and, in 3D, which (x, y) lines) hold a query pixel. */
  columns = new Uint8Array(0);
  lines = new Uint8Array(0);
  grid = new Float64Array(0);

  ensureLine(length: number): void {
    if (this.positions.length >= length) return;
    this.positions = new Float64Array(length);
    this.values = new Float64Array(length);
    this.heights = new Float64Array(length);
    this.bounds = new Float64Array(length + 1);
  }
}

const sharedScratch = new DistanceScratch();

/**
 * Squared Euclidean distance (in spacing units) from every pixel to the nearest pixel whose
 * `features` byte is non-zero; Infinity everywhere when there is none. Writes into `out` when
 * given (it must hold at least width·height·depth values) and returns it.
 */
export function squaredDistanceTransform(
  features: Uint8Array,
  size: GridSize,
  spacing: Spacing = [1, 1, 1],
  out?: Float64Array,
  scratch: DistanceScratch = sharedScratch,
): Float64Array {
  const count = checkSize(features, size);
  const dist = out ?? new Float64Array(count);
  if (dist.length < count) throw new RangeError('squaredDistanceTransform: output buffer too small');
  transform(features, size, spacing, dist, scratch, undefined, undefined);
  return dist;
}

/**
 * The same squared distances, but only at the pixels listed in `queries[0..queryCount)`, written
 * to `into[0..queryCount)`. Skips the 1D passes of lines that hold no query pixel, which is what
 * surface distances need (distances sampled at the other mask's border).
 */
export function squaredDistancesAt(
  features: Uint8Array,
  size: GridSize,
  spacing: Spacing,
  queries: Int32Array,
  queryCount: number,
  into: Float64Array,
  scratch: DistanceScratch = sharedScratch,
): Float64Array {
  const count = checkSize(features, size);
  if (scratch.grid.length < count) scratch.grid = new Float64Array(count);
  const dist = scratch.grid;
  transform(features, size, spacing, dist, scratch, queries, queryCount);
  for (let j = 0; j < queryCount; j++) into[j] = dist[queries[j]];
  return into;
}

function checkSize(features: Uint8Array, size: GridSize): number {
  const [width, height, depth] = size;
  const count = width * height * depth;
  if (features.length < count) {
    throw new RangeError(`squared distance transform: ${features.length} features for a ${width}×${height}×${depth} grid`);
  }
  return count;
}

function transform(
  features: Uint8Array,
  size: GridSize,
  spacing: Spacing,
  dist: Float64Array,
  scratch: DistanceScratch,
  queries: Int32Array | undefined,
  queryCount: number | undefined,
): void {
  const [width, height, depth] = size;
  const planeSize = width * height;
  scratch.ensureLine(Math.max(width, height, depth));
  // Lines without a query pixel are skipped: a pixel's value only needs the lines through it
  // (its y column in 2D; in 3D its z line, and the y columns of every plane at its x).
  let columns: Uint8Array | undefined;
  let lines: Uint8Array | undefined;
  if (queries) {
    if (scratch.columns.length < width) scratch.columns = new Uint8Array(width);
    columns = scratch.columns;
    columns.fill(0, 0, width);
    const volumetric = depth > 1;
    if (volumetric) {
      if (scratch.lines.length < planeSize) scratch.lines = new Uint8Array(planeSize);
      lines = scratch.lines;
      lines.fill(0, 0, planeSize);
    }
    for (let j = 0; j < queryCount!; j++) {
      const i = queries[j];
      columns[i % width] = 1;
      if (lines) lines[i % planeSize] = 1;
    }
  }
  transformRows(features, dist, width, height * depth, spacing[0]);
  if (height > 1) {
    for (let x = 0; x < width; x++) {
      if (columns && columns[x] === 0) continue;
      for (let z = 0; z < depth; z++) transformLine(dist, z * planeSize + x, width, height, spacing[1], scratch);
    }
  }
  if (depth > 1) {
    for (let i = 0; i < planeSize; i++) {
      if (lines && lines[i] === 0) continue;
      transformLine(dist, i, planeSize, depth, spacing[2], scratch);
    }
  }
}

/** First axis: the features are binary, so two sweeps per row give the 1D distance exactly. */
function transformRows(features: Uint8Array, dist: Float64Array, width: number, rows: number, sx: number): void {
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (features[start + x] !== 0) {
        last = x;
        dist[start + x] = 0;
      } else if (last < 0) {
        dist[start + x] = Infinity;
      } else {
        const d = (x - last) * sx;
        dist[start + x] = d * d;
      }
    }
    if (last < 0) continue;
    let next = -1;
    for (let x = width - 1; x >= 0; x--) {
      if (features[start + x] !== 0) {
        next = x;
      } else if (next >= 0) {
        const d = (next - x) * sx;
        const d2 = d * d;
        if (d2 < dist[start + x]) dist[start + x] = d2;
      }
    }
  }
}

/**
 * One 1D pass along a strided line: d(q) = min_r f(r) + ((q − r)·s)². Infinite samples (no
 * feature yet) never enter the envelope, so a line without any finite value stays infinite.
 */
function transformLine(
  dist: Float64Array,
  offset: number,
  stride: number,
  n: number,
  s: number,
  scratch: DistanceScratch,
): void {
  const positions = scratch.positions;
  const values = scratch.values;
  const heights = scratch.heights;
  const bounds = scratch.bounds;
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = dist[offset + q * stride];
    if (fq === Infinity) continue;
    const pq = q * s;
    const hq = fq + pq * pq;
    let intersection = -Infinity;
    while (k >= 0) {
      intersection = (hq - heights[k]) / (2 * (pq - positions[k]));
      if (intersection > bounds[k]) break;
      k--;
    }
    k++;
    positions[k] = pq;
    values[k] = fq;
    heights[k] = hq;
    bounds[k] = k === 0 ? -Infinity : intersection;
  }
  if (k < 0) return;
  bounds[k + 1] = Infinity;
  k = 0;
  for (let q = 0; q < n; q++) {
    const pq = q * s;
    while (bounds[k + 1] < pq) k++;
    const d = pq - positions[k];
    dist[offset + q * stride] = d * d + values[k];
  }
}
