import { writeFileAtomic } from './atomic';
import { encodePng } from './pngEncode';
import type { BinaryMask } from './types';

/** An 8-bit one-channel PNG, 0 or 255. */
export async function encodeMaskPng(mask: BinaryMask): Promise<Uint8Array> {
  if (mask.depth !== 1) throw new Error(`encodeMaskPng: a PNG holds one slice, the mask has depth ${mask.depth}`);
  checkSize('encodeMaskPng', mask.data.length, mask.width, mask.height);
  const pixels = new Uint8Array(mask.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = mask.data[i] === 0 ? 0 : 255;
  return encodePng(pixels, mask.width, mask.height, 1);
}

/** A 16-bit grey PNG of round(p × 65535), p clamped to [0, 1] (NaN → 0), so readers recover p as value/65535. */
export async function encodeProbabilityPng(prob: Float32Array, width: number, height: number): Promise<Uint8Array> {
  checkSize('encodeProbabilityPng', prob.length, width, height);
  const samples = new Uint16Array(prob.length);
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i];
    samples[i] = p > 0 ? Math.round(Math.min(p, 1) * 65535) : 0;
  }
  return encodePng(samples, width, height, 1);
}

/** The same 16-bit grey PNG from probabilities already quantised to round(p × 65535). */
export async function encodeQuantisedProbabilityPng(q: Uint16Array, width: number, height: number): Promise<Uint8Array> {
  checkSize('encodeQuantisedProbabilityPng', q.length, width, height);
  return encodePng(q, width, height, 1);
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
