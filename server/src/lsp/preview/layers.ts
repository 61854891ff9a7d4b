/**
 * Pixels → PNG data URIs for the preview webview: the image through a display window, masks as
 * translucent fills, probabilities as a heat ramp. Presentation only: which pixel is a true or
 * false positive comes from the engine's error map.
 */
import sharp from 'sharp';
import type { ImageVolume } from '../../core/io';
import { heatRgba } from '../../core/report/heatOverlay';

export type Rgb = readonly [number, number, number];

/** Okabe–Ito colours for the reference and up to four models (colour-blind safe). */
export const REFERENCE_COLOUR: Rgb = [0xf0, 0xe4, 0x42];
export const METHOD_COLOURS: readonly Rgb[] = [
  [0x56, 0xb4, 0xe9],
  [0xcc, 0x79, 0xa7],
  [0xe6, 0x9f, 0x00],
  [0x99, 0x99, 0x99],
];

export function hex(c: readonly number[]): string {
  return `#${c
    .slice(0, 3)
    .map((x) => x.toString(16).padStart(2, '0'))
    .join('')}`;
}

async function pngDataUri(data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Promise<string> {
  const png = await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .png({ compressionLevel: 6 })
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Display window [low, high] of the stored values: the 1st and 99th percentiles (of a sample for big images). */
export function percentileWindow(v: ImageVolume): [number, number] {
  const n = v.data.length;
  const step = Math.max(1, Math.floor(n / 65536));
  const sample = new Float64Array(Math.ceil(n / step));
  let k = 0;
  for (let i = 0; i < n; i += step) sample[k++] = v.data[i];
  const sorted = sample.subarray(0, k).sort();
  if (k === 0) return [0, 1];
  const lo = sorted[Math.floor(0.01 * (k - 1))];
  const hi = sorted[Math.ceil(0.99 * (k - 1))];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** The image (one slice) as 8-bit grey or RGB through `[low, high]`. */
export async function imageLayerPng(v: ImageVolume, window: [number, number]): Promise<string> {
  const [lo, hi] = window;
  const scale = 255 / (hi - lo || 1);
  const pixels = v.width * v.height;
  const outChannels = v.channels >= 3 ? 3 : 1;
  const out = new Uint8Array(pixels * outChannels);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < outChannels; c++) {
      const x = (v.data[i * v.channels + c] - lo) * scale;
      out[i * outChannels + c] = x <= 0 ? 0 : x >= 255 ? 255 : Math.round(x);
    }
  }
  return pngDataUri(out, v.width, v.height, outChannels as 1 | 3);
}

/** A binary mask (one slice) as a translucent fill with a solid border. */
export async function maskLayerPng(mask: Uint8Array, width: number, height: number, colour: Rgb): Promise<string> {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      const border = x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width];
      rgba.set([colour[0], colour[1], colour[2], border ? 255 : 90], i * 4);
    }
  }
  return pngDataUri(rgba, width, height, 4);
}

/** Probabilities in [0, 1] as a heat ramp (transparent at 0, opaque yellow at 1). */
export async function heatLayerPng(prob: Float32Array, width: number, height: number): Promise<string> {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    // The report's explanation thumbnails use the same ramp.
    rgba.set(heatRgba(prob[i]), i * 4);
  }
  return pngDataUri(rgba, width, height, 4);
}

export async function rgbaLayerPng(rgba: Uint8Array, width: number, height: number): Promise<string> {
  return pngDataUri(rgba, width, height, 4);
}
