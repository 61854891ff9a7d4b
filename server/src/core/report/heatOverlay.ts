/**
 * Heatmaps for people: the colour ramp of every heat overlay (the editor preview's layers and the
 * report's explanation thumbnails use the same one, so a thumbnail and the preview it opens look
 * alike), and small thumbnails of an image with its heatmap over it and the reference outlined.
 */
import sharp from 'sharp';
import { configureSharp } from '../io';

export type Rgba = [number, number, number, number];

/** Heat below this share of the image's maximum is left transparent (the image shows through). */
export const HEAT_FLOOR = 0.02;

/** Outline of the reference on thumbnails: Okabe–Ito sky blue, apart from the red-to-yellow ramp. */
export const REFERENCE_OUTLINE: readonly [number, number, number] = [0x56, 0xb4, 0xe9];

/**
 * A heat level in [0, 1] as RGBA: dark purple → red → yellow, opacity rising with the level, so
 * weak heat tints the image and strong heat covers it; transparent below HEAT_FLOOR.
 */
export function heatRgba(level: number): Rgba {
  const p = Math.min(1, Math.max(0, level));
  if (!(p >= HEAT_FLOOR)) return [0, 0, 0, 0];
  return [Math.round(255 * Math.min(1, 2 * p)), Math.round(255 * Math.max(0, 2 * p - 1)), Math.round(128 * (1 - p)), Math.round(60 + 170 * p)];
}

/**
 * The image (interleaved RGB) with the heat (8-bit, 255 = the image's hottest pixel) blended over it
 * through `heatRgba`, and the reference's border pixels (foreground with a background 4-neighbour,
 * or on the image edge) in REFERENCE_OUTLINE. All three at the same `width` × `height`.
 */
export function composeHeatOverlay(rgb: Uint8Array, heat: Uint8Array, reference: Uint8Array | undefined, width: number, height: number): Uint8Array {
  const n = width * height;
  if (rgb.length !== 3 * n || heat.length !== n || (reference && reference.length !== n)) throw new Error(`composeHeatOverlay: sizes do not match ${width}×${height}`);
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    const [r, g, b, a255] = heatRgba(heat[i] / 255);
    const a = a255 / 255;
    out[3 * i] = Math.round(rgb[3 * i] * (1 - a) + r * a);
    out[3 * i + 1] = Math.round(rgb[3 * i + 1] * (1 - a) + g * a);
    out[3 * i + 2] = Math.round(rgb[3 * i + 2] * (1 - a) + b * a);
  }
  if (reference) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (!reference[i]) continue;
        const border = x === 0 || y === 0 || x === width - 1 || y === height - 1 || !reference[i - 1] || !reference[i + 1] || !reference[i - width] || !reference[i + width];
        if (border) out.set(REFERENCE_OUTLINE, 3 * i);
      }
    }
  }
  return out;
}

/** Width and height with the longer side `maxSize` (aspect kept, at least 1 pixel each). */
export function thumbnailSize(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = maxSize / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function resizeRaw(data: Uint8Array, width: number, height: number, channels: 1 | 3, to: { width: number; height: number }, kernel: 'nearest' | 'lanczos3'): Promise<Uint8Array> {
  if (to.width === width && to.height === height) return data;
  let img = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } }).resize(to.width, to.height, { fit: 'fill', kernel });
  if (channels === 1) img = img.toColourspace('b-w');
  const out = await img.raw().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export interface HeatThumbnailOptions {
  /** Longer side of the thumbnail in pixels. */
  maxSize: number;
  /** JPEG quality (photographs with smooth heat compress to a few kB where PNG needs tens). */
  quality?: number;
}

/**
 * A JPEG thumbnail of `composeHeatOverlay`, composed at the thumbnail's size: image and heat are
 * resampled (Lanczos when shrinking, nearest when enlarging, so small images keep their pixels) and
 * the reference by nearest neighbour, then outlined, so the outline stays one pixel wide and visible
 * however large the image was.
 */
export async function heatThumbnail(rgb: Uint8Array, heat: Uint8Array, reference: Uint8Array | undefined, width: number, height: number, options: HeatThumbnailOptions): Promise<Buffer> {
  configureSharp();
  const to = thumbnailSize(width, height, options.maxSize);
  const kernel = to.width < width ? 'lanczos3' : 'nearest';
  const [smallRgb, smallHeat, smallRef] = await Promise.all([
    resizeRaw(rgb, width, height, 3, to, kernel),
    resizeRaw(heat, width, height, 1, to, kernel),
    reference ? resizeRaw(reference, width, height, 1, to, 'nearest') : undefined,
  ]);
  const composed = composeHeatOverlay(smallRgb, smallHeat, smallRef, to.width, to.height);
  return sharp(Buffer.from(composed.buffer, composed.byteOffset, composed.byteLength), { raw: { width: to.width, height: to.height, channels: 3 } })
    .jpeg({ quality: options.quality ?? 80 })
    .toBuffer();
}

export function jpegDataUri(jpeg: Uint8Array): string {
  return `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`;
}
