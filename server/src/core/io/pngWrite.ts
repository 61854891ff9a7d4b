import sharp from 'sharp';
import { writeFileAtomic } from './atomic';
import { configureSharp } from './raster';
import type { BinaryMask } from './types';

/** An 8-bit one-channel PNG, 0 or 255 (`b-w` keeps it one channel; sharp would write sRGB otherwise). */
export async function encodeMaskPng(mask: BinaryMask): Promise<Uint8Array> {
  if (mask.depth !== 1) throw new Error(`encodeMaskPng: a PNG holds one slice, the mask has depth ${mask.depth}`);
  checkSize('encodeMaskPng', mask.data.length, mask.width, mask.height);
  configureSharp();
  const pixels = Buffer.alloc(mask.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = mask.data[i] === 0 ? 0 : 255;
  const png = await sharp(pixels, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** A 16-bit grey PNG of round(p × 65535), p clamped to [0, 1] (NaN → 0), so readers recover p as value/65535. */
export async function encodeProbabilityPng(prob: Float32Array, width: number, height: number): Promise<Uint8Array> {
  checkSize('encodeProbabilityPng', prob.length, width, height);
  configureSharp();
  const samples = new Uint16Array(prob.length);
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i];
    samples[i] = p > 0 ? Math.round(Math.min(p, 1) * 65535) : 0;
  }
  const png = await sharp(samples, { raw: { width, height, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

export async function writeMaskPng(path: string, mask: BinaryMask): Promise<void> {
  await writeFileAtomic(path, await encodeMaskPng(mask));
}

export async function writeProbabilityPng(path: string, prob: Float32Array, width: number, height: number): Promise<void> {
  await writeFileAtomic(path, await encodeProbabilityPng(prob, width, height));
}

function checkSize(caller: string, length: number, width: number, height: number): void {
  if (length !== width * height) throw new Error(`${caller}: ${length} samples for a ${width}×${height} image`);
}
