/**
 * Images for people: any stored image (8/16-bit raster, CT in HU) as 8-bit RGB of one slice, and
 * overlays of masks and error maps on it. Used by the report's galleries and the editor preview.
 */
import sharp from 'sharp';
import { errorMap, errorMapRgba } from '../fusion';
import type { ImageVolume } from '../io';

export interface DisplayWindow {
  /** Stored value at the centre of the grey ramp. */
  centre: number;
  width: number;
}

/** A window from the 1st and 99th percentiles of the slice (robust to a few extreme voxels). */
export function percentileWindow(values: ArrayLike<number>): DisplayWindow {
  const n = values.length;
  const step = Math.max(1, Math.floor(n / 65536)); // a sample is enough for percentiles
  const sample: number[] = [];
  for (let i = 0; i < n; i += step) sample.push(values[i]);
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(0.01 * (sample.length - 1))];
  const hi = sample[Math.ceil(0.99 * (sample.length - 1))];
  return { centre: (lo + hi) / 2, width: Math.max(hi - lo, 1e-6) };
}

/**
 * Colour images (RGB, RGBA) are photographs: shown as stored, never through a window, which is a
 * grey-level tool (CT's window centre and width) that would shift their colours.
 */
export function isColourImage(image: ImageVolume): boolean {
  return image.channels >= 3;
}

/**
 * The window a scalar image opens with: 8-bit rasters as stored (0–255), anything else (CT in HU,
 * 16-bit, float) from the slice's 1st and 99th percentiles. Colour images have none.
 */
export function defaultDisplayWindow(image: ImageVolume, z = 0): DisplayWindow | undefined {
  if (isColourImage(image)) return undefined;
  if (image.bitDepth === 8 && image.format !== 'nifti') return { centre: 127.5, width: 255 };
  const plane = image.width * image.height;
  const c = image.channels;
  const offset = z * plane * c;
  const lum = new Float32Array(plane);
  for (let i = 0; i < plane; i++) lum[i] = image.data[offset + i * c];
  return percentileWindow(lum);
}

/** The value colour images map to 255: their type's full scale, so colour balance is kept. */
function colourFullScale(image: ImageVolume, offset: number, length: number): number {
  if (image.format !== 'nifti' && (image.bitDepth === 8 || image.bitDepth === 16)) return 2 ** image.bitDepth - 1;
  let max = 0;
  for (let i = offset; i < offset + length; i++) if (image.data[i] > max) max = image.data[i];
  return max > 0 ? max : 1;
}

/**
 * One slice as interleaved 8-bit RGB. Colour images as stored (scaled from their type's range to
 * 8 bits; `window` does not apply); scalar images through `window`, by default
 * `defaultDisplayWindow`. Returns the window used (none for colour images).
 */
export function toDisplayRgb(image: ImageVolume, z = 0, window?: DisplayWindow): { rgb: Uint8Array; window?: DisplayWindow } {
  const plane = image.width * image.height;
  const c = image.channels;
  const offset = z * plane * c;
  const rgb = new Uint8Array(plane * 3);
  if (isColourImage(image)) {
    const full = colourFullScale(image, offset, plane * c);
    const direct = full === 255;
    for (let i = 0; i < plane; i++) {
      for (let k = 0; k < 3; k++) {
        const v = image.data[offset + i * c + k];
        rgb[3 * i + k] = direct ? v : Math.max(0, Math.min(255, Math.round((v * 255) / full)));
      }
    }
    return { rgb };
  }
  const w = window ?? defaultDisplayWindow(image, z)!;
  const lo = w.centre - w.width / 2;
  const scale = 255 / w.width;
  for (let i = 0; i < plane; i++) {
    const v = Math.max(0, Math.min(255, Math.round((image.data[offset + i * c] - lo) * scale)));
    rgb[3 * i] = v;
    rgb[3 * i + 1] = v;
    rgb[3 * i + 2] = v;
  }
  return { rgb, window: w };
}

/** The slice with the most reference foreground (or the middle one): what a gallery should show. */
export function representativeSlice(ref: Uint8Array, width: number, height: number, depth: number): number {
  const plane = width * height;
  let best = Math.floor(depth / 2);
  let bestCount = 0;
  for (let z = 0; z < depth; z++) {
    let count = 0;
    for (let i = z * plane; i < (z + 1) * plane; i++) count += ref[i];
    if (count > bestCount) [best, bestCount] = [z, count];
  }
  return best;
}

/**
 * The image with the error map laid over it (TP, FP = type I, FN = type II in colour-blind-safe
 * colours, at `opacity`), as a PNG no wider than `maxSize` (nearest-neighbour, so pixels stay
 * pixels).
 */
export async function errorOverlayPng(rgb: Uint8Array, ref: Uint8Array, pred: Uint8Array, width: number, height: number, options: { opacity?: number; maxSize?: number } = {}): Promise<Buffer> {
  const opacity = options.opacity ?? 0.55;
  const labels = errorMap(ref, pred);
  const rgba = errorMapRgba(labels, width, height);
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const a = (rgba[4 * i + 3] / 255) * opacity;
    for (let k = 0; k < 3; k++) out[3 * i + k] = Math.round(rgb[3 * i + k] * (1 - a) + rgba[4 * i + k] * a);
  }
  let img = sharp(out, { raw: { width, height, channels: 3 } });
  const maxSize = options.maxSize ?? 0;
  if (maxSize && Math.max(width, height) !== maxSize) {
    img = img.resize({ width: width >= height ? maxSize : undefined, height: height > width ? maxSize : undefined, kernel: 'nearest' });
  }
  return img.png().toBuffer();
}

export function pngDataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}
