/**
 * Rotation and flips of an image and, by the same map of pixel positions, of its reference mask,
 * so the metrics compare the prediction on the moved image with the moved lesion. Each output
 * pixel takes its value from one source position in the same slice: the image by bilinear
 * interpolation, the mask from the nearest pixel; positions outside the image are clamped to the
 * edge (replicated border), for both, so no black corners appear that a model could take for a
 * lesion and the mask follows the image everywhere.
 */
import type { BinaryMask, ImageVolume, PixelArray } from '../io';
import { FLIP_VARIANTS, type PerturbationLevel } from './perturbations';

/** Source position (sx, sy) of output pixel (x, y). */
type SourceMap = (x: number, y: number) => [number, number];

/**
 * Rotation by `degrees` about the image centre, counter-clockwise as the image is shown (y
 * pointing down): output (x, y) reads the source at the inverse rotation of its offset.
 */
export function rotationMap(width: number, height: number, degrees: number): SourceMap {
  const t = (degrees * Math.PI) / 180;
  // Exact values at multiples of 90°, so a quarter turn moves pixels without interpolation.
  const snap = (v: number) => (Math.abs(v - Math.round(v)) < 1e-12 ? Math.round(v) : v);
  const cos = snap(Math.cos(t)), sin = snap(Math.sin(t));
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  return (x, y) => {
    const dx = x - cx, dy = y - cy;
    return [cx + cos * dx - sin * dy, cy + sin * dx + cos * dy];
  };
}

export function flipMap(width: number, height: number, variant: (typeof FLIP_VARIANTS)[number]): SourceMap {
  const fx = variant !== 'vertical', fy = variant !== 'horizontal';
  return (x, y) => [fx ? width - 1 - x : x, fy ? height - 1 - y : y];
}

export function geometricMap(level: PerturbationLevel, width: number, height: number): SourceMap {
  if (level.kind === 'rotation') return rotationMap(width, height, level.strength);
  if (level.kind === 'flip') return flipMap(width, height, FLIP_VARIANTS[level.strength - 1]);
  throw new RangeError(`geometricMap: ${level.kind} is not a geometric perturbation`);
}

const clamp = (v: number, hi: number) => (v < 0 ? 0 : v > hi ? hi : v);

export function transformImage(v: ImageVolume, map: SourceMap): ImageVolume {
  const { width: w, height: h, depth, channels: c } = v;
  const src = v.data;
  const out = new (src.constructor as new (n: number) => PixelArray)(src.length);
  const integer = !(src instanceof Float32Array || src instanceof Float64Array);
  const plane = w * h;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [sxRaw, syRaw] = map(x, y);
      const sx = clamp(sxRaw, w - 1), sy = clamp(syRaw, h - 1);
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
      const ax = sx - x0, ay = sy - y0;
      const w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay;
      for (let z = 0; z < depth; z++) {
        const base = z * plane;
        const i00 = (base + y0 * w + x0) * c, i10 = (base + y0 * w + x1) * c, i01 = (base + y1 * w + x0) * c, i11 = (base + y1 * w + x1) * c;
        const o = (base + y * w + x) * c;
        for (let ch = 0; ch < c; ch++) {
          // A convex combination of samples: it stays within their range, so only rounding is needed.
          const val = w00 * src[i00 + ch] + w10 * src[i10 + ch] + w01 * src[i01 + ch] + w11 * src[i11 + ch];
          out[o + ch] = integer ? Math.round(val) : val;
        }
      }
    }
  return { ...v, data: out };
}

export function transformMask(m: BinaryMask, map: SourceMap): BinaryMask {
  const { width: w, height: h, depth } = m;
  const out = new Uint8Array(m.data.length);
  const plane = w * h;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [sx, sy] = map(x, y);
      const s = Math.round(clamp(sy, h - 1)) * w + Math.round(clamp(sx, w - 1));
      for (let z = 0; z < depth; z++) out[z * plane + y * w + x] = m.data[z * plane + s];
    }
  return { ...m, data: out };
}
