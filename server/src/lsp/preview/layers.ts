/**
 * Pixels → PNG data URIs for the preview webview: the image as the engine displays it, masks as
 * translucent fills, probabilities as a heat ramp. Presentation only: which pixel is a true or
 * false positive comes from the engine's error map.
 */
import sharp from 'sharp';
import type { ImageVolume } from '../../core/io';
import { toDisplayRgb, type DisplayWindow } from '../../core/report/display';
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

/**
 * The image (one slice) as 8-bit RGB: the engine's display rule (core/report/display), the same
 * as report.html's galleries — colour images as stored, scalar images through `window`.
 */
export async function imageLayerPng(v: ImageVolume, window?: DisplayWindow): Promise<{ png: string; window?: DisplayWindow }> {
  const shown = toDisplayRgb(v, 0, window);
  return { png: await pngDataUri(shown.rgb, v.width, v.height, 3), window: shown.window };
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
