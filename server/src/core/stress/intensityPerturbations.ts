/**
 * Intensity perturbations on typed arrays: Gaussian noise, Gaussian blur, contrast and brightness.
 * They act on the colour channels only (an alpha channel is copied), keep the sample type, and
 * clip to the range the samples can take: 0…255 / 0…65535 for 8/16-bit rasters, the image's own
 * minimum…maximum for signed and float data (CT in HU, float TIFF), whose scale has no fixed top.
 * Strength 0 returns the samples unchanged.
 */
import type { ImageVolume, PixelArray } from '../io';
import type { Random } from '../util/random';

/** Colour channels: a trailing alpha (2 or 4 channels) is not an intensity. */
export function colourChannels(channels: number): number {
  return channels === 2 || channels === 4 ? channels - 1 : channels;
}

export interface IntensityRange {
  lo: number;
  hi: number;
  /** Samples are integers: results are rounded. */
  integer: boolean;
}

export function intensityRange(v: ImageVolume): IntensityRange {
  const d = v.data;
  if (d instanceof Uint8Array) return { lo: 0, hi: 255, integer: true };
  if (d instanceof Uint16Array) return { lo: 0, hi: v.bitDepth <= 8 ? 255 : 65535, integer: true };
  const cc = colourChannels(v.channels);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    if (i % v.channels >= cc) continue;
    const x = d[i];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (!(hi >= lo)) [lo, hi] = [0, 0];
  return { lo, hi, integer: !(d instanceof Float32Array || d instanceof Float64Array) };
}

function emptyLike(d: PixelArray): PixelArray {
  return new (d.constructor as new (n: number) => PixelArray)(d.length);
}

/** Applies `f` to every colour sample, clipping (and rounding integer samples) to the range. */
function mapColour(v: ImageVolume, range: IntensityRange, f: (x: number, i: number) => number): ImageVolume {
  const src = v.data;
  const out = emptyLike(src);
  const cc = colourChannels(v.channels);
  const { lo, hi, integer } = range;
  for (let i = 0; i < src.length; i++) {
    if (i % v.channels >= cc) {
      out[i] = src[i];
      continue;
    }
    let y = f(src[i], i);
    if (integer) y = Math.round(y);
    out[i] = y < lo ? lo : y > hi ? hi : y;
  }
  return { ...v, data: out };
}

/** Adds N(0, (σ·range)²) to every colour sample independently. */
export function addGaussianNoise(v: ImageVolume, sigmaFraction: number, random: Random): ImageVolume {
  const range = intensityRange(v);
  const sigma = sigmaFraction * (range.hi - range.lo);
  if (sigma === 0) return { ...v, data: v.data.slice() };
  return mapColour(v, range, (x) => x + sigma * random.normal());
}

/** Pulls every colour sample towards the image's mean: x' = m + (1 − reduction)(x − m). */
export function reduceContrast(v: ImageVolume, reduction: number): ImageVolume {
  const range = intensityRange(v);
  const cc = colourChannels(v.channels);
  let sum = 0, n = 0;
  for (let i = 0; i < v.data.length; i++)
    if (i % v.channels < cc) {
      sum += v.data[i];
      n++;
    }
  const mean = n > 0 ? sum / n : 0;
  const factor = 1 - reduction;
  return mapColour(v, range, (x) => mean + factor * (x - mean));
}

/** Adds shift·range to every colour sample. */
export function shiftBrightness(v: ImageVolume, shiftFraction: number): ImageVolume {
  const range = intensityRange(v);
  const delta = shiftFraction * (range.hi - range.lo);
  return mapColour(v, range, (x) => x + delta);
}

/** Normalised Gaussian weights for offsets −r…r, r = ceil(3σ). */
export function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let total = 0;
  for (let i = -r; i <= r; i++) total += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= total;
  return k;
}

/**
 * Separable Gaussian blur in the image plane (each slice of a volume alone: the perturbation
 * imitates a defocused 2D acquisition), edges replicated so the border does not darken.
 */
export function gaussianBlur(v: ImageVolume, sigma: number): ImageVolume {
  if (sigma <= 0) return { ...v, data: v.data.slice() };
  const { width: w, height: h, depth, channels: c } = v;
  const range = intensityRange(v);
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const cc = colourChannels(c);
  const plane = w * h;
  const a = new Float64Array(plane);
  const b = new Float64Array(plane);
  const out = emptyLike(v.data);
  out.set(v.data);
  for (let z = 0; z < depth; z++)
    for (let ch = 0; ch < cc; ch++) {
      const base = z * plane * c + ch;
      for (let p = 0; p < plane; p++) a[p] = v.data[base + p * c];
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (let t = -r; t <= r; t++) s += k[t + r] * a[y * w + Math.min(w - 1, Math.max(0, x + t))];
          b[y * w + x] = s;
        }
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (let t = -r; t <= r; t++) s += k[t + r] * b[Math.min(h - 1, Math.max(0, y + t)) * w + x];
          let val = range.integer ? Math.round(s) : s;
          val = val < range.lo ? range.lo : val > range.hi ? range.hi : val;
          out[base + (y * w + x) * c] = val;
        }
    }
  return { ...v, data: out };
}
