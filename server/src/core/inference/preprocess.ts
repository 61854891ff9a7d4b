/**
 * Turns one 2D image (or one axial slice of a volume) into the float tensor a model takes:
 * channel adaptation, bilinear resize to the model size, intensity scaling and normalisation,
 * NCHW or NHWC.
 *
 * Intensity rules (the config schema's promise):
 * - `unit`: x / max, where max is 255 for 8-bit and 65535 for 16-bit unsigned samples; signed or
 *   float data (CT in HU, MR, any NIfTI float) has no fixed max, so it is min–max scaled over the
 *   whole image or volume;
 * - `imagenet`: `unit`, then ImageNet mean/std (their channel means for one-channel models);
 * - `zscore`: (x − mean) / std per channel over the whole image or volume, on raw values;
 * - explicit `{mean, std}`: applied to raw values (mmsegmentation's 0–255 convention, HU for CT).
 */
import type { ModelInputConfig, Normalization } from '../config/types';
import type { ImageVolume } from '../io/types';
import { maxOf, minOf } from '../util/arrays';
import { resizeBilinear } from './resize';

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
/** ITU-R BT.601 luma, as OpenCV's RGB2GRAY and Pillow's `L` mode. */
const LUMA = [0.299, 0.587, 0.114];

/** What `preprocess` needs: the config's input section with the size resolved (config or graph). */
export type PreprocessInput = Pick<ModelInputConfig, 'layout' | 'channels' | 'normalize'> & { size?: [number, number] };

/** Colour channels of a source, alpha dropped: 1 (grey, grey+alpha) or 3 (RGB, RGBA, more). */
function colourChannels(channels: number): 1 | 3 {
  return channels >= 3 ? 3 : 1;
}

/**
 * The planes to resize for slice z at source resolution, after channel adaptation: one plane
 * for a one-channel model (grey, or the luma of RGB), three for RGB into a three-channel model,
 * one for grey into a three-channel model (repeated when written).
 */
/** `into`: where to put the planes (e.g. views of the model input), else new arrays. */
function adaptedPlanes(image: ImageVolume, z: number, targetChannels: 1 | 3, into?: Float32Array[]): Float32Array[] {
  const { width, height, channels, data } = image;
  const n = width * height;
  const base = z * n * channels;
  const colour = colourChannels(channels);
  if (colour === 1) {
    const plane = into?.[0] ?? new Float32Array(n);
    for (let i = 0, s = base; i < n; i++, s += channels) plane[i] = data[s];
    // A grey image for a colour model: the same plane in every channel.
    for (let c = 1; into && c < into.length; c++) into[c].set(plane);
    return into ?? [plane];
  }
  if (targetChannels === 1) {
    const plane = into?.[0] ?? new Float32Array(n);
    for (let i = 0, s = base; i < n; i++, s += channels) plane[i] = LUMA[0] * data[s] + LUMA[1] * data[s + 1] + LUMA[2] * data[s + 2];
    return [plane];
  }
  const planes = into ?? [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const [r, g, b] = planes;
  for (let i = 0, s = base; i < n; i++, s += channels) {
    r[i] = data[s];
    g[i] = data[s + 1];
    b[i] = data[s + 2];
  }
  return planes;
}

interface PlaneStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** Per-plane statistics over every slice, cached per image (images are treated as immutable): a volume is preprocessed slice by slice. */
const statsCache = new WeakMap<ImageVolume, Map<number, PlaneStats[]>>();

function volumeStats(image: ImageVolume, targetChannels: 1 | 3): PlaneStats[] {
  let byTarget = statsCache.get(image);
  const cached = byTarget?.get(targetChannels);
  if (cached) return cached;
  let acc: { min: number; max: number; shift: number; sum: number; sumSq: number; n: number }[] = [];
  for (let z = 0; z < image.depth; z++) {
    const planes = adaptedPlanes(image, z, targetChannels);
    if (acc.length === 0) acc = planes.map((p) => ({ min: Infinity, max: -Infinity, shift: p[0] ?? 0, sum: 0, sumSq: 0, n: 0 }));
    planes.forEach((plane, c) => {
      const a = acc[c];
      // Shifted sums keep the variance exact enough when the mean is far from zero (HU, 16-bit).
      let { min, max, sum, sumSq } = a;
      for (let i = 0; i < plane.length; i++) {
        const v = plane[i];
        if (v < min) min = v;
        if (v > max) max = v;
        const d = v - a.shift;
        sum += d;
        sumSq += d * d;
      }
      Object.assign(a, { min, max, sum, sumSq, n: a.n + plane.length });
    });
  }
  const stats = acc.map((a) => {
    const meanShifted = a.sum / a.n;
    const variance = Math.max(0, a.sumSq / a.n - meanShifted * meanShifted);
    return { min: a.min, max: a.max, mean: a.shift + meanShifted, std: Math.sqrt(variance) };
  });
  if (!byTarget) statsCache.set(image, (byTarget = new Map()));
  byTarget.set(targetChannels, stats);
  return stats;
}

/** x ↦ (x − offset) · scale for `unit`/`imagenet`. */
function unitScaling(image: ImageVolume, targetChannels: 1 | 3): { offset: number; scale: number } {
  if (image.data instanceof Uint8Array) return { offset: 0, scale: 1 / 255 };
  if (image.data instanceof Uint16Array) return { offset: 0, scale: 1 / 65535 };
  const stats = volumeStats(image, targetChannels);
  const min = minOf(stats.map((s) => s.min));
  const max = maxOf(stats.map((s) => s.max));
  return { offset: min, scale: max > min ? 1 / (max - min) : 0 };
}

function perChannel(values: readonly number[], c: number): number {
  return values.length === 1 ? values[0] : values[c];
}

/** Per output channel: x ↦ x · a + b on the resized raw values. */
function affineCoefficients(image: ImageVolume, targetChannels: 1 | 3, normalize: Normalization): { a: number[]; b: number[] } {
  const a: number[] = [];
  const b: number[] = [];
  for (let c = 0; c < targetChannels; c++) {
    switch (normalize.kind) {
      case 'unit':
      case 'imagenet': {
        const { offset, scale } = unitScaling(image, targetChannels);
        let mean = 0;
        let std = 1;
        if (normalize.kind === 'imagenet') {
          mean = targetChannels === 1 ? avg(IMAGENET_MEAN) : IMAGENET_MEAN[c];
          std = targetChannels === 1 ? avg(IMAGENET_STD) : IMAGENET_STD[c];
        }
        // ((x − offset)·scale − mean) / std
        a.push(scale / std);
        b.push((-offset * scale - mean) / std);
        break;
      }
      case 'zscore': {
        const stats = volumeStats(image, targetChannels);
        const s = stats.length === 1 ? stats[0] : stats[c];
        const std = s.std > 1e-8 ? s.std : 1;
        a.push(1 / std);
        b.push(-s.mean / std);
        break;
      }
      case 'explicit': {
        const mean = perChannel(normalize.mean, c);
        const std = perChannel(normalize.std, c);
        if (mean === undefined || std === undefined || std === 0) {
          throw new Error(`normalize: need 1 or ${targetChannels} mean/std values with std ≠ 0`);
        }
        a.push(1 / std);
        b.push(-mean / std);
        break;
      }
    }
  }
  return { a, b };
}

function avg(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/**
 * The model input for slice `z` of `image` (z = 0 for 2D images), as one sample without the batch
 * axis: C·H·W floats in the configured layout. Without `input.size` the image keeps its size.
 */
export function preprocess(image: ImageVolume, z: number, input: PreprocessInput): Float32Array {
  if (!Number.isInteger(z) || z < 0 || z >= image.depth) {
    throw new RangeError(`preprocess: slice ${z} is outside the image (depth ${image.depth})`);
  }
  const targetChannels = input.channels;
  const [h, w] = input.size ?? [image.height, image.width];
  const sameSize = image.width === w && image.height === h;
  const { a, b } = affineCoefficients(image, targetChannels, input.normalize);
  const n = w * h;
  const out = new Float32Array(n * targetChannels);
  if (sameSize && input.layout === 'NCHW') {
    // The planes are decoded straight into the input tensor and normalised in place.
    const views = Array.from({ length: targetChannels }, (_, c) => out.subarray(c * n, (c + 1) * n));
    adaptedPlanes(image, z, targetChannels, views);
    for (let c = 0; c < targetChannels; c++) {
      const plane = views[c];
      const ac = a[c];
      const bc = b[c];
      for (let i = 0; i < n; i++) plane[i] = plane[i] * ac + bc;
    }
    return out;
  }
  const planes = adaptedPlanes(image, z, targetChannels).map((p) => (sameSize ? p : resizeBilinear(p, image.width, image.height, w, h)));
  for (let c = 0; c < targetChannels; c++) {
    const plane = planes.length === 1 ? planes[0] : planes[c];
    const ac = a[c];
    const bc = b[c];
    if (input.layout === 'NCHW') {
      for (let i = 0, o = c * n; i < n; i++, o++) out[o] = plane[i] * ac + bc;
    } else {
      for (let i = 0, o = c; i < n; i++, o += targetChannels) out[o] = plane[i] * ac + bc;
    }
  }
  return out;
}
