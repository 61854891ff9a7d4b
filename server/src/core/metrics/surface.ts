/**
 * Surface distances between a reference and a prediction mask: HD95, Hausdorff, average
 * symmetric surface distance, mean average surface distance (RESULTS.md "Metric conventions").
 *
 * Borders are foreground pixels with a background 4-neighbour (6-neighbour when depth > 1) or on
 * the image edge. The directed distances from A's border to B's are the exact Euclidean distance
 * transform of B's border, sampled at A's border pixels. Everything happens inside the bounding box
 * of R ∪ P: both borders lie in it, so cropping changes no distance and saves most of the work.
 * Memory: about 10 bytes per pixel of that box (two border maps, one float64 distance grid), plus
 * 12 bytes per border pixel; reused from image to image.
 */
import { DistanceScratch, squaredDistancesAt, type GridSize, type Spacing } from './distance';
import { quantileSorted } from './quantile';

export type { GridSize, Spacing } from './distance';

export interface SurfaceDistances {
  /** max of the two directed 95th percentiles; 0 when both masks are empty, undefined when one is. */
  hd95: number | undefined;
  /** max of the two directed maxima; same undefined rule. */
  hausdorff: number | undefined;
  /**
   * Average symmetric surface distance: the mean of all directed distances of both borders
   * pooled (MONAI's `symmetric=True`), not the mean of the two directed means.
   */
  assd: number | undefined;
  /** Mean average surface distance: the mean of the two directed mean distances; same undefined rule. */
  masd: number | undefined;
}

/** Buffers reused between images; one per thread (the default one is module-wide). */
export class SurfaceScratch {
  refBorder = new Uint8Array(0);
  predBorder = new Uint8Array(0);
  // Sized by border counts, not by the crop: a 3D surface is far smaller than its bounding box.
  refIndices = new Int32Array(0);
  predIndices = new Int32Array(0);
  refToPred = new Float64Array(0);
  predToRef = new Float64Array(0);
  readonly lines = new DistanceScratch();

  ensureCrop(cropCount: number): void {
    if (this.refBorder.length >= cropCount) return;
    this.refBorder = new Uint8Array(cropCount);
    this.predBorder = new Uint8Array(cropCount);
  }

  ensureBorders(refCount: number, predCount: number): void {
    if (this.refIndices.length < refCount) {
      this.refIndices = new Int32Array(refCount);
      this.refToPred = new Float64Array(refCount);
    }
    if (this.predIndices.length < predCount) {
      this.predIndices = new Int32Array(predCount);
      this.predToRef = new Float64Array(predCount);
    }
  }
}

const sharedScratch = new SurfaceScratch();
const HD_QUANTILE = 95 / 100;

export interface Box {
  x0: number;
  y0: number;
  z0: number;
  width: number;
  height: number;
  depth: number;
}

export function surfaceDistances(
  ref: Uint8Array,
  pred: Uint8Array,
  size: GridSize,
  spacing: Spacing = [1, 1, 1],
  scratch: SurfaceScratch = sharedScratch,
  /** unionBox(ref, pred) when the caller has it already (one scan of the image for every kernel). */
  union?: UnionBox,
): SurfaceDistances {
  const [width, height, depth] = size;
  const count = width * height * depth;
  if (ref.length !== count || pred.length !== count) {
    throw new RangeError(
      `surfaceDistances: a ${width}×${height}×${depth} grid needs ${count} pixels, got ${ref.length} and ${pred.length}`,
    );
  }
  const found = union ?? unionBox(ref, pred, width, height, depth);
  if (!found.refAny && !found.predAny) return { hd95: 0, hausdorff: 0, assd: 0, masd: 0 };
  if (!found.refAny || !found.predAny) return { hd95: undefined, hausdorff: undefined, assd: undefined, masd: undefined };
  const box = found.box;
  const cropCount = box.width * box.height * box.depth;
  scratch.ensureCrop(cropCount);
  const volumetric = depth > 1;
  const refBorder = scratch.refBorder;
  const predBorder = scratch.predBorder;
  const refCount = markBorder(ref, size, box, volumetric, refBorder);
  const predCount = markBorder(pred, size, box, volumetric, predBorder);
  scratch.ensureBorders(refCount, predCount);
  listMarked(refBorder, cropCount, scratch.refIndices);
  listMarked(predBorder, cropCount, scratch.predIndices);
  const cropSize: GridSize = [box.width, box.height, box.depth];

  const refToPred = squaredDistancesAt(predBorder, cropSize, spacing, scratch.refIndices, refCount, scratch.refToPred, scratch.lines);
  const predToRef = squaredDistancesAt(refBorder, cropSize, spacing, scratch.predIndices, predCount, scratch.predToRef, scratch.lines);

  const a = sortedDistances(refToPred, refCount);
  const b = sortedDistances(predToRef, predCount);
  const sumA = sum(a);
  const sumB = sum(b);
  return {
    hd95: Math.max(quantileSorted(a, HD_QUANTILE), quantileSorted(b, HD_QUANTILE)),
    hausdorff: Math.max(a[refCount - 1], b[predCount - 1]),
    assd: (sumA + sumB) / (refCount + predCount),
    masd: (sumA / refCount + sumB / predCount) / 2,
  };
}

export function hausdorff95(ref: Uint8Array, pred: Uint8Array, size: GridSize, spacing?: Spacing): number | undefined {
  return surfaceDistances(ref, pred, size, spacing).hd95;
}

export function averageSurfaceDistance(
  ref: Uint8Array,
  pred: Uint8Array,
  size: GridSize,
  spacing?: Spacing,
): number | undefined {
  return surfaceDistances(ref, pred, size, spacing).assd;
}

/** The border pixels of a mask as a 0/1 mask of the same size (for overlays and tests). */
export function borderMask(mask: Uint8Array, size: GridSize): Uint8Array {
  const [width, height, depth] = size;
  const border = new Uint8Array(width * height * depth);
  markBorder(mask, size, { x0: 0, y0: 0, z0: 0, width, height, depth }, depth > 1, border);
  return border;
}

/** Squared distances → distances, sorted ascending (sqrt keeps the order). */
function sortedDistances(squared: Float64Array, n: number): Float64Array {
  const values = squared.subarray(0, n);
  values.sort();
  for (let i = 0; i < n; i++) values[i] = Math.sqrt(values[i]);
  return values;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** The bounding box of R ∪ P (meaningless when both are empty), and whether each mask has any foreground. */
export interface UnionBox {
  refAny: boolean;
  predAny: boolean;
  box: Box;
}

/** The bounding box of R ∪ P, and whether each mask has any foreground. */
export function unionBox(ref: Uint8Array, pred: Uint8Array, width: number, height: number, depth: number): UnionBox {
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  let z0 = depth;
  let z1 = -1;
  let refSeen = 0;
  let predSeen = 0;
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      const start = (z * height + y) * width;
      let first = -1;
      let last = -1;
      for (let x = 0; x < width; x++) {
        const r = ref[start + x];
        const p = pred[start + x];
        if ((r | p) !== 0) {
          if (first < 0) first = x;
          last = x;
          refSeen |= r;
          predSeen |= p;
        }
      }
      if (first < 0) continue;
      if (first < x0) x0 = first;
      if (last > x1) x1 = last;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (z < z0) z0 = z;
      if (z > z1) z1 = z;
    }
  }
  return {
    refAny: refSeen !== 0,
    predAny: predSeen !== 0,
    box: { x0, y0, z0, width: x1 - x0 + 1, height: y1 - y0 + 1, depth: z1 - z0 + 1 },
  };
}

/**
 * Writes the mask's border pixels inside `box` into `border` (crop coordinates, the rest of the
 * crop cleared) and returns how many there are. A neighbour outside the box is background or outside
 * the image, so pixels on the box edge are border pixels: the crop needs no look outside it.
 */
function markBorder(mask: Uint8Array, size: GridSize, box: Box, volumetric: boolean, border: Uint8Array): number {
  const [width, height] = size;
  const plane = width * height;
  const lastX = box.width - 1;
  const lastY = box.height - 1;
  const lastZ = box.depth - 1;
  border.fill(0, 0, box.width * box.height * box.depth);
  let n = 0;
  for (let cz = 0; cz < box.depth; cz++) {
    const zEdge = volumetric && (cz === 0 || cz === lastZ);
    for (let cy = 0; cy < box.height; cy++) {
      const rowStart = ((box.z0 + cz) * height + box.y0 + cy) * width + box.x0;
      const cropRow = (cz * box.height + cy) * box.width;
      const yEdge = cy === 0 || cy === lastY;
      for (let cx = 0; cx <= lastX; cx++) {
        const i = rowStart + cx;
        if (mask[i] === 0) continue;
        const onBorder =
          yEdge ||
          zEdge ||
          cx === 0 ||
          cx === lastX ||
          mask[i - 1] === 0 ||
          mask[i + 1] === 0 ||
          mask[i - width] === 0 ||
          mask[i + width] === 0 ||
          (volumetric && (mask[i - plane] === 0 || mask[i + plane] === 0));
        if (onBorder) {
          border[cropRow + cx] = 1;
          n++;
        }
      }
    }
  }
  return n;
}

function listMarked(marks: Uint8Array, count: number, into: Int32Array): void {
  let n = 0;
  for (let i = 0; i < count; i++) if (marks[i] !== 0) into[n++] = i;
}
