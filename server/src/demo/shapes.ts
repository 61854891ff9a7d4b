/**
 * Drawing primitives shared by the 2D generators: irregular blobs (an ellipse whose radius is
 * perturbed by a few sine harmonics, like lesion and gland borders), soft discs and strokes drawn
 * into alpha layers, and an RGB float canvas that is rounded to bytes once at the end.
 */
import type { SeededRandom } from './random';

export interface BlobShape {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
  harmonics: { k: number; amplitude: number; phase: number }[];
}

export interface BlobOptions {
  /** Ratio of the short to the long axis, drawn from this range. */
  aspect: [number, number];
  /** Sum of the harmonic amplitudes relative to the radius (0 = smooth ellipse); keep under 0.5. */
  irregularity: number;
}

/** A blob of mean radius `radius` centred at (cx, cy). */
export function randomBlob(rng: SeededRandom, cx: number, cy: number, radius: number, options: BlobOptions): BlobShape {
  const aspect = rng.uniform(options.aspect[0], options.aspect[1]);
  const count = rng.int(2, 5);
  const weights = Array.from({ length: count }, () => rng.uniform(0.3, 1));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const harmonics = weights.map((w, i) => ({
    k: 2 + i + rng.int(0, 2),
    amplitude: (options.irregularity * w) / weightSum,
    phase: rng.uniform(0, 2 * Math.PI),
  }));
  return { cx, cy, rx: radius / Math.sqrt(aspect), ry: radius * Math.sqrt(aspect), angle: rng.uniform(0, Math.PI), harmonics };
}

/** Approximate distance in pixels to the blob's border: positive inside, negative outside. */
export function blobInsideDistance(blob: BlobShape, x: number, y: number): number {
  const dx = x - blob.cx;
  const dy = y - blob.cy;
  const cos = Math.cos(blob.angle);
  const sin = Math.sin(blob.angle);
  const u = (dx * cos + dy * sin) / blob.rx;
  const v = (-dx * sin + dy * cos) / blob.ry;
  const rho = Math.hypot(u, v);
  const theta = Math.atan2(v, u);
  let border = 1;
  for (const h of blob.harmonics) border += h.amplitude * Math.sin(h.k * theta + h.phase);
  return (border - rho) * Math.sqrt(blob.rx * blob.ry);
}

/** Largest distance of the blob's border from its centre. */
export function blobReach(blob: BlobShape): number {
  const irregularity = blob.harmonics.reduce((sum, h) => sum + h.amplitude, 0);
  return Math.max(blob.rx, blob.ry) * (1 + irregularity);
}

/** Rasterises a blob at pixel centres: `inside` gets 1 where the centre is inside; returns the pixel count. */
export function fillBlobMask(blob: BlobShape, width: number, height: number, inside: Uint8Array): number {
  const reach = Math.ceil(blobReach(blob)) + 1;
  let count = 0;
  for (let y = Math.max(0, Math.floor(blob.cy - reach)); y < Math.min(height, blob.cy + reach); y++) {
    for (let x = Math.max(0, Math.floor(blob.cx - reach)); x < Math.min(width, blob.cx + reach); x++) {
      if (blobInsideDistance(blob, x + 0.5, y + 0.5) >= 0) {
        inside[y * width + x] = 1;
        count++;
      }
    }
  }
  return count;
}

/** 0 well outside, 1 well inside, a smooth ramp over about `softness` pixels around the border. */
export function edgeAlpha(insideDistance: number, softness = 1): number {
  const t = Math.min(1, Math.max(0, insideDistance / softness + 0.5));
  return t * t * (3 - 2 * t);
}

/** Raises `layer` to at least `value` inside a soft disc (max, so overlapping stamps do not pile up). */
export function stampDisc(layer: Float32Array, width: number, height: number, cx: number, cy: number, radius: number, value: number): void {
  const reach = Math.ceil(radius + 1);
  for (let y = Math.max(0, Math.floor(cy - reach)); y < Math.min(height, cy + reach); y++) {
    for (let x = Math.max(0, Math.floor(cx - reach)); x < Math.min(width, cx + reach); x++) {
      const alpha = value * edgeAlpha(radius - Math.hypot(x + 0.5 - cx, y + 0.5 - cy));
      const i = y * width + x;
      if (alpha > layer[i]) layer[i] = alpha;
    }
  }
}

/** Strokes a quadratic Bézier curve (p0 → p2, pulled towards p1) into `layer`. */
export function strokeCurve(
  layer: Float32Array,
  width: number,
  height: number,
  points: [[number, number], [number, number], [number, number]],
  radius: number,
  value: number,
): void {
  const [[x0, y0], [x1, y1], [x2, y2]] = points;
  const length = Math.hypot(x1 - x0, y1 - y0) + Math.hypot(x2 - x1, y2 - y1);
  const steps = Math.max(2, Math.ceil(length * 2));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    const a = (1 - t) * (1 - t);
    const b = 2 * (1 - t) * t;
    const c = t * t;
    stampDisc(layer, width, height, a * x0 + b * x1 + c * x2, a * y0 + b * y1 + c * y2, radius, value);
  }
}

export type Rgb = [number, number, number];

/** A drawn 2D case: interleaved RGB bytes and its 0/1 mask. */
export interface DrawnImage {
  rgb: Uint8Array;
  mask: Uint8Array;
  width: number;
  height: number;
}

/** Float RGB pixels, interleaved; rounded and clamped to bytes once when encoded. */
export class RgbCanvas {
  readonly data: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Float32Array(width * height * 3);
  }

  set(pixel: number, r: number, g: number, b: number): void {
    const o = pixel * 3;
    this.data[o] = r;
    this.data[o + 1] = g;
    this.data[o + 2] = b;
  }

  /** Mixes `colour` over the pixel with opacity `alpha`. */
  blend(pixel: number, colour: Rgb, alpha: number): void {
    if (alpha <= 0) return;
    const o = pixel * 3;
    for (let c = 0; c < 3; c++) this.data[o + c] += (colour[c] - this.data[o + c]) * alpha;
  }

  /** Adds independent Gaussian noise to every sample (sensor noise). */
  addNoise(rng: SeededRandom, sd: number): void {
    for (let i = 0; i < this.data.length; i++) this.data[i] += rng.normal(0, sd);
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(this.data[i])));
    return out;
  }
}
