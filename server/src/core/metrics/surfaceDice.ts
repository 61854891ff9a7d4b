/**
 * Normalised surface distance (surface Dice at tolerance τ, Nikolov et al. 2021) with surface
 * elements as DeepMind's surface-distance defines them, so that anisotropic spacing weighs each
 * element by its true length (2D) or area (3D).
 *
 * The surface lives on the grid of pixel corners, not on pixels (unlike hd95's pixel borders,
 * RESULTS.md): each corner sees the 2×2 pixels (2×2×2 voxels) around it, and a corner whose pixels
 * are neither all background nor all foreground carries a piece of the marching-squares contour
 * (of the marching-cubes surface, surfels3d.ts), whose length in mm (area in mm²) is its weight.
 * Distances run from corner to corner (exact EDT, in spacing units).
 * NSD = (weight of R's elements within τ of P's surface + weight of P's within τ of R's) /
 * (total weight of both).
 */
import { DistanceScratch, squaredDistancesAt, type GridSize, type Spacing } from './distance';
import { unionBox, type Box, type UnionBox } from './surface';
import { cornerCodes3d, surfelAreas } from './surfels3d';

/** Buffers reused between images; one per thread (the default one is module-wide). */
export class SurfaceDiceScratch {
  refCodes = new Uint8Array(0);
  predCodes = new Uint8Array(0);
  refSurface = new Uint8Array(0);
  predSurface = new Uint8Array(0);
  refCorners = new Int32Array(0);
  predCorners = new Int32Array(0);
  // Sized by surface counts, not by the corner grid: a 3D surface is far smaller than its box.
  refDistances = new Float64Array(0);
  predDistances = new Float64Array(0);
  /** Two corner planes of 4-bit codes (3D only). */
  planes = new Uint8Array(0);
  readonly lines = new DistanceScratch();

  ensure(corners: number): void {
    if (this.refCodes.length >= corners) return;
    this.refCodes = new Uint8Array(corners);
    this.predCodes = new Uint8Array(corners);
    this.refSurface = new Uint8Array(corners);
    this.predSurface = new Uint8Array(corners);
    this.refCorners = new Int32Array(corners);
    this.predCorners = new Int32Array(corners);
  }

  ensureDistances(refCount: number, predCount: number): void {
    if (this.refDistances.length < refCount) this.refDistances = new Float64Array(refCount);
    if (this.predDistances.length < predCount) this.predDistances = new Float64Array(predCount);
  }

  ensurePlanes(planeCorners: number): void {
    if (this.planes.length < 2 * planeCorners) this.planes = new Uint8Array(2 * planeCorners);
  }
}

const sharedScratch = new SurfaceDiceScratch();

/**
 * Surface Dice of R and P at `tolerance` (in spacing units): 1 when both are empty, 0 when exactly
 * one is (RESULTS.md "Further metrics and regions").
 */
export function surfaceDice(
  ref: Uint8Array,
  pred: Uint8Array,
  size: GridSize,
  spacing: Spacing,
  tolerance: number,
  scratch: SurfaceDiceScratch = sharedScratch,
  /** `auto` picks the faster of two exact ways; tests force each. */
  method: 'auto' | 'disc' | 'edt' = 'auto',
  /** unionBox(ref, pred) when the caller has it already. */
  union?: UnionBox,
): number {
  const [width, height, depth] = size;
  const count = width * height * depth;
  if (ref.length !== count || pred.length !== count) {
    throw new RangeError(`surfaceDice: a ${width}×${height}×${depth} grid needs ${count} pixels, got ${ref.length} and ${pred.length}`);
  }
  if (!(tolerance >= 0)) throw new RangeError(`surfaceDice: tolerance ${tolerance} must be a number ≥ 0`);
  const found = union ?? unionBox(ref, pred, width, height, depth);
  if (!found.refAny && !found.predAny) return 1;
  if (!found.refAny || !found.predAny) return 0;
  const box = found.box;
  const volumetric = depth > 1;
  const cornerSize: GridSize = [box.width + 1, box.height + 1, volumetric ? box.depth + 1 : 1];
  const corners = cornerSize[0] * cornerSize[1] * cornerSize[2];
  scratch.ensure(corners);
  // Each surface element's weight by its code: a contour length in 2D, a surfel area in 3D.
  const weights = volumetric ? surfelAreas(spacing) : contourLengths(spacing[0], spacing[1]);

  let refCount: number;
  let predCount: number;
  if (volumetric) {
    scratch.ensurePlanes(cornerSize[0] * cornerSize[1]);
    refCount = cornerCodes3d(ref, width, height, box, scratch.refCodes, scratch.refSurface, scratch.refCorners, scratch.planes);
    predCount = cornerCodes3d(pred, width, height, box, scratch.predCodes, scratch.predSurface, scratch.predCorners, scratch.planes);
  } else {
    refCount = cornerCodes(ref, width, box, scratch.refCodes, scratch.refSurface, scratch.refCorners);
    predCount = cornerCodes(pred, width, box, scratch.predCodes, scratch.predSurface, scratch.predCorners);
  }

  // Only "within τ or not" matters, never the distance: with few corners in a τ-disc (τ-ball in
  // 3D), each surface corner looks for the other surface at those offsets (work ∝ surface × disc);
  // a wide disc (large τ for the spacing) takes the exact EDT of the grid instead (work ∝ grid).
  // The EDT of a volume makes three passes over the grid, so the ball search pays off for balls
  // about four times larger than in 2D (bench/nsd3d.ts: at τ 2 and 5 mm the ball search was about
  // twice as fast as the EDT that the 2D factor chose); the bound keeps the worst case, a surface
  // with no match near it, within a small multiple of the EDT's work.
  const disc = discOffsets(spacing, tolerance, cornerSize, volumetric);
  const useDisc = method === 'disc' || (method === 'auto' && disc.length * (refCount + predCount) <= (volumetric ? 16 : 4) * corners);
  let refWeights: { within: number; total: number };
  let predWeights: { within: number; total: number };
  if (useDisc) {
    refWeights = weightNear(scratch.refCorners, scratch.refCodes, refCount, scratch.predSurface, cornerSize, disc, weights);
    predWeights = weightNear(scratch.predCorners, scratch.predCodes, predCount, scratch.refSurface, cornerSize, disc, weights);
  } else {
    scratch.ensureDistances(refCount, predCount);
    const refToPred = squaredDistancesAt(scratch.predSurface, cornerSize, spacing, scratch.refCorners, refCount, scratch.refDistances, scratch.lines);
    const predToRef = squaredDistancesAt(scratch.refSurface, cornerSize, spacing, scratch.predCorners, predCount, scratch.predDistances, scratch.lines);
    refWeights = weightWithin(refToPred, scratch.refCorners, scratch.refCodes, refCount, weights, tolerance);
    predWeights = weightWithin(predToRef, scratch.predCorners, scratch.predCodes, predCount, weights, tolerance);
  }
  return (refWeights.within + predWeights.within) / (refWeights.total + predWeights.total);
}

interface DiscOffset {
  dx: number;
  dy: number;
  dz: number;
  /** (dz · grid height + dy) · grid width + dx: the offset in the corner grid. */
  step: number;
}

/**
 * The corner offsets within `tolerance` (distance computed as scipy's EDT reports it, √((dx·sx)² +
 * (dy·sy)² (+ (dz·sz)²)), so that ties at τ fall the same way), nearest first so that a match ends
 * the search early. A 2D grid gets dz = 0 only, and the same offsets in the same order as ever.
 */
function discOffsets(spacing: Spacing, tolerance: number, grid: GridSize, volumetric: boolean): DiscOffset[] {
  const [sx, sy, sz] = spacing;
  const rx = Math.floor(tolerance / sx);
  const ry = Math.floor(tolerance / sy);
  const rz = volumetric ? Math.floor(tolerance / sz) : 0;
  const out: (DiscOffset & { d: number })[] = [];
  for (let dz = -rz; dz <= rz; dz++) {
    for (let dy = -ry; dy <= ry; dy++) {
      for (let dx = -rx; dx <= rx; dx++) {
        const planar = (dx * sx) ** 2 + (dy * sy) ** 2;
        const d = Math.sqrt(volumetric ? planar + (dz * sz) ** 2 : planar);
        if (d <= tolerance) out.push({ dx, dy, dz, step: (dz * grid[1] + dy) * grid[0] + dx, d });
      }
    }
  }
  return out.sort((a, b) => a.d - b.d);
}

function weightNear(
  corners: Int32Array,
  codes: Uint8Array,
  n: number,
  otherSurface: Uint8Array,
  grid: GridSize,
  disc: readonly DiscOffset[],
  weights: Float64Array,
): { within: number; total: number } {
  const [gw, gh, gd] = grid;
  const planeSize = gw * gh;
  let within = 0;
  let total = 0;
  for (let j = 0; j < n; j++) {
    const i = corners[j];
    const weight = weights[codes[i]];
    total += weight;
    const inPlane = i % planeSize;
    const x = inPlane % gw;
    const y = (inPlane - x) / gw;
    const z = (i - inPlane) / planeSize;
    for (const o of disc) {
      const ox = x + o.dx;
      const oy = y + o.dy;
      const oz = z + o.dz;
      if (ox < 0 || oy < 0 || oz < 0 || ox >= gw || oy >= gh || oz >= gd) continue;
      if (otherSurface[i + o.step] !== 0) {
        within += weight;
        break;
      }
    }
  }
  return { within, total };
}

/**
 * Contour length inside the 2×2-pixel cell around a corner, by its code (bits: 8 = pixel up-left,
 * 4 = up-right, 2 = down-left, 1 = down-right). Marching squares joins the midpoints of the cell's
 * edges that separate inside from outside: one corner pixel in (or out) cuts a half-diagonal, two
 * side by side a full horizontal or vertical step, two diagonally opposite two half-diagonals.
 */
export function contourLengths(sx: number, sy: number): Float64Array {
  const halfDiagonal = 0.5 * Math.hypot(sx, sy);
  const lengths = new Float64Array(16);
  for (const code of [1, 2, 4, 8, 7, 11, 13, 14]) lengths[code] = halfDiagonal;
  lengths[0b0011] = sx; // bottom pair in: a horizontal step
  lengths[0b1100] = sx;
  lengths[0b0101] = sy; // right pair in: a vertical step
  lengths[0b1010] = sy;
  lengths[0b0110] = 2 * halfDiagonal;
  lengths[0b1001] = 2 * halfDiagonal;
  return lengths;
}

/**
 * Writes every corner's code, marks the surface corners (code neither 0 nor 15) and lists them;
 * returns how many there are. Corner (cx, cy) of the crop sits up-left of crop pixel (cx, cy); the
 * crop is the bounding box of R ∪ P, so every pixel outside it is background.
 */
function cornerCodes(mask: Uint8Array, width: number, box: Box, codes: Uint8Array, surface: Uint8Array, list: Int32Array): number {
  const cw = box.width + 1;
  const ch = box.height + 1;
  let n = 0;
  for (let cy = 0; cy < ch; cy++) {
    const upRow = cy > 0 ? (box.y0 + cy - 1) * width + box.x0 : -1;
    const downRow = cy < box.height ? (box.y0 + cy) * width + box.x0 : -1;
    for (let cx = 0; cx < cw; cx++) {
      const left = cx > 0;
      const right = cx < box.width;
      let code = 0;
      if (upRow >= 0) {
        if (left && mask[upRow + cx - 1] !== 0) code |= 8;
        if (right && mask[upRow + cx] !== 0) code |= 4;
      }
      if (downRow >= 0) {
        if (left && mask[downRow + cx - 1] !== 0) code |= 2;
        if (right && mask[downRow + cx] !== 0) code |= 1;
      }
      const i = cy * cw + cx;
      codes[i] = code;
      const onSurface = code !== 0 && code !== 15;
      surface[i] = onSurface ? 1 : 0;
      if (onSurface) list[n++] = i;
    }
  }
  return n;
}

function weightWithin(
  squared: Float64Array,
  corners: Int32Array,
  codes: Uint8Array,
  n: number,
  weights: Float64Array,
  tolerance: number,
): { within: number; total: number } {
  let within = 0;
  let total = 0;
  for (let j = 0; j < n; j++) {
    const weight = weights[codes[corners[j]]];
    total += weight;
    // Compared as a distance (not squared against τ²) so that ties at τ fall as in numpy.
    if (Math.sqrt(squared[j]) <= tolerance) within += weight;
  }
  return { within, total };
}
