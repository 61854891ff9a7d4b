import { readImage } from './readImage';
import type { BinaryMask, ForegroundRule, ImageVolume, PixelArray } from './types';

/**
 * Foreground per pixel from channel 0. Masks saved as RGB (as some ISIC masks are) repeat the
 * value in every channel, and alpha says nothing about the label, so channel 0 is the label.
 */
export function binarize(volume: ImageVolume, rule: ForegroundRule): BinaryMask {
  const { width, height, depth, channels, data } = volume;
  const count = width * height * depth;
  const out = new Uint8Array(count);
  const isForeground = foregroundTest(rule, data);
  for (let i = 0, j = 0; i < count; i++, j += channels) out[i] = isForeground(data[j]) ? 1 : 0;
  const mask: BinaryMask = { width, height, depth, data: out, spacing: volume.spacing, spacingKnown: volume.spacingKnown };
  if (volume.nifti) mask.nifti = volume.nifti;
  return mask;
}

function foregroundTest(rule: ForegroundRule, data: PixelArray): (value: number) => boolean {
  // NaN is not a label, so it is background under both rules.
  if (rule.kind === 'nonzero') return (v) => v > 0 || v < 0;
  const values = new Set(rule.values);
  if (data instanceof Uint8Array || data instanceof Uint16Array) {
    const table = new Uint8Array(data instanceof Uint8Array ? 256 : 65536);
    for (const v of values) if (Number.isInteger(v) && v >= 0 && v < table.length) table[v] = 1;
    return (v) => table[v] === 1;
  }
  return (v) => values.has(v);
}

/** Reads a reference or predicted mask; palette PNGs count by index, as label maps are meant. */
export async function readMask(path: string, rule: ForegroundRule, options: { slice?: number } = {}): Promise<BinaryMask> {
  const volume = await readImage(path, { slice: options.slice, paletteIndices: true });
  return binarize(volume, rule);
}
