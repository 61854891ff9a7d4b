/**
 * A heatmap as an 8-bit one-channel PNG: value = round(255 · heat / max), so 255 is the image's
 * hottest pixel. The scale (`max`) is recorded in explain.json; colour maps and overlays are the
 * viewer's business.
 */
import sharp from 'sharp';
import { configureSharp } from '../io';

export function quantiseHeat(heat: ArrayLike<number>): { pixels: Uint8Array; max: number } {
  let max = 0;
  for (let i = 0; i < heat.length; i++) if (heat[i] > max) max = heat[i];
  const pixels = new Uint8Array(heat.length);
  if (max > 0) for (let i = 0; i < heat.length; i++) pixels[i] = heat[i] > 0 ? Math.round((255 * heat[i]) / max) : 0;
  return { pixels, max };
}

export async function encodeHeatmapPng(heat: ArrayLike<number>, width: number, height: number): Promise<{ png: Uint8Array; max: number }> {
  if (heat.length !== width * height) throw new Error(`encodeHeatmapPng: ${heat.length} values for a ${width}×${height} image`);
  configureSharp();
  const { pixels, max } = quantiseHeat(heat);
  const png = await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  return { png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), max };
}
