/**
 * Boundary IoU (Cheng et al., "Boundary IoU: Improving Object-Centric Image Segmentation
 * Evaluation", CVPR 2021): the IoU of the two masks' inner bands, a band being the mask minus its
 * erosion by a (2d+1)-wide square (cube in 3D), i.e. d erosions with the 3×3 (3×3×3) element, the
 * outside of the image counting as background as in the authors' padded cv2.erode. Square
 * erosion is separable, so it runs as one 1D erosion per axis, linear in the pixels.
 */
import type { GridSize } from './distance';
import { unionBox, type Box, type UnionBox } from './surface';

/** The paper's default band width: 2 % of the image diagonal in pixels, rounded, at least 1. */
export function defaultBoundaryWidth(size: GridSize): number {
  const [width, height, depth] = size;
  const diagonal = Math.sqrt(width * width + height * height + (depth > 1 ? depth * depth : 0));
  return Math.max(1, roundHalfEven(0.02 * diagonal));
}

/** Python's round(): halves go to the even neighbour (the authors' `int(round(...))`). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Buffers reused between images; one per thread (the default one is module-wide). */
export class BandScratch {
  refBand = new Uint8Array(0);
  predBand = new Uint8Array(0);
  /** Per plane: how many foreground pixels run upwards from each pixel; per column: downwards. */
  up = new Int32Array(0);
  down = new Int32Array(0);

  ensure(count: number): void {
    if (this.refBand.length >= count) return;
    this.refBand = new Uint8Array(count);
    this.predBand = new Uint8Array(count);
  }

  ensurePlane(plane: number, width: number): void {
    if (this.up.length < plane) this.up = new Int32Array(plane);
    if (this.down.length < width) this.down = new Int32Array(width);
  }
}

const sharedScratch = new BandScratch();

/**
 * |band(R) ∩ band(P)| / |band(R) ∪ band(P)| for bands of `bandWidth` pixels: 1 when both masks
 * are empty, 0 when exactly one is (RESULTS.md "Further metrics and regions").
 */
export function boundaryIou(
  ref: Uint8Array,
  pred: Uint8Array,
  size: GridSize,
  bandWidth: number,
  scratch: BandScratch = sharedScratch,
  /** unionBox(ref, pred) when the caller has it already. */
  union?: UnionBox,
): number {
  const [width, height, depth] = size;
  const count = width * height * depth;
  if (ref.length !== count || pred.length !== count) {
    throw new RangeError(`boundaryIou: a ${width}×${height}×${depth} grid needs ${count} pixels, got ${ref.length} and ${pred.length}`);
  }
  if (!(Number.isInteger(bandWidth) && bandWidth >= 1)) throw new RangeError(`boundaryIou: band width ${bandWidth} must be an integer ≥ 1`);
  const found = union ?? unionBox(ref, pred, width, height, depth);
  if (!found.refAny && !found.predAny) return 1;
  if (!found.refAny || !found.predAny) return 0;
  // Outside the box both masks are background, so eroding inside the box alone changes nothing.
  const box = found.box;
  const cropCount = box.width * box.height * box.depth;
  scratch.ensure(cropCount);
  const refBand = scratch.refBand;
  const predBand = scratch.predBand;
  innerBand(ref, size, box, bandWidth, refBand, scratch);
  innerBand(pred, size, box, bandWidth, predBand, scratch);
  let both = 0;
  let either = 0;
  for (let i = 0; i < cropCount; i++) {
    both += refBand[i] & predBand[i];
    either += refBand[i] | predBand[i];
  }
  return either === 0 ? 1 : both / either;
}

/** The inner band of `mask` within `box`, written in crop coordinates as 0/1 into `band`. */
export function innerBand(mask: Uint8Array, size: GridSize, box: Box, d: number, band: Uint8Array, scratch: BandScratch = sharedScratch): void {
  const [width, height] = size;
  const { width: bw, height: bh, depth: bd } = box;
  // band holds the crop first, then is eroded in place axis by axis, then turned into mask − erosion.
  for (let z = 0; z < bd; z++) {
    for (let y = 0; y < bh; y++) {
      const from = ((box.z0 + z) * height + box.y0 + y) * width + box.x0;
      const to = (z * bh + y) * bw;
      for (let x = 0; x < bw; x++) band[to + x] = mask[from + x] !== 0 ? 1 : 0;
    }
  }
  for (let line = 0; line < bh * bd; line++) erodeLine(band, line * bw, 1, bw, d);
  for (let z = 0; z < bd; z++) erodeColumns(band, z * bw * bh, bw, bh, d, scratch);
  if (size[2] > 1) {
    const plane = bw * bh;
    for (let i = 0; i < plane; i++) erodeLine(band, i, plane, bd, d);
  }
  for (let z = 0; z < bd; z++) {
    for (let y = 0; y < bh; y++) {
      const from = ((box.z0 + z) * height + box.y0 + y) * width + box.x0;
      const to = (z * bh + y) * bw;
      for (let x = 0; x < bw; x++) band[to + x] = mask[from + x] !== 0 && band[to + x] === 0 ? 1 : 0;
    }
  }
}

/**
 * The same 1D erosion along y for every column of one plane at once, row by row (a strided walk
 * down each column would miss the cache on every pixel): a pixel stays if the run of foreground
 * through it reaches d pixels up and d down.
 */
function erodeColumns(values: Uint8Array, offset: number, width: number, height: number, d: number, scratch: BandScratch): void {
  scratch.ensurePlane(width * height, width);
  const up = scratch.up;
  const down = scratch.down;
  for (let y = 0; y < height; y++) {
    const row = offset + y * width;
    const at = y * width;
    for (let x = 0; x < width; x++) up[at + x] = values[row + x] === 0 ? 0 : (y > 0 ? up[at - width + x] : 0) + 1;
  }
  down.fill(0, 0, width);
  for (let y = height - 1; y >= 0; y--) {
    const row = offset + y * width;
    const at = y * width;
    for (let x = 0; x < width; x++) {
      if (values[row + x] === 0) {
        down[x] = 0;
        continue;
      }
      down[x]++;
      if (up[at + x] <= d || down[x] <= d) values[row + x] = 0;
    }
  }
}

/**
 * 1D erosion by a segment of 2d+1 along a strided line, ends counting as background: a pixel
 * stays only if its run of foreground reaches at least d pixels to each side.
 */
function erodeLine(values: Uint8Array, offset: number, stride: number, n: number, d: number): void {
  let q = 0;
  while (q < n) {
    if (values[offset + q * stride] === 0) {
      q++;
      continue;
    }
    let end = q;
    while (end + 1 < n && values[offset + (end + 1) * stride] !== 0) end++;
    for (let k = q; k <= end; k++) {
      if (k - q < d || end - k < d) values[offset + k * stride] = 0;
    }
    q = end + 1;
  }
}
