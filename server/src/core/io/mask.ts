import { readImage } from './readImage';
import { colourChannels, foregroundRuleProblem } from './maskCheck';
import type { BinaryMask, ForegroundRule, ImageVolume, PixelArray } from './types';
import { valueTest } from './valueTest';

/**
 * Foreground per pixel. Grey masks (alpha ignored) are read by their value. Colour masks: under
 * `nonzero` a pixel is foreground when any colour channel is non-zero (a green lesion on black);
 * under a value list a pixel counts by its value when its channels agree (grey saved as RGB, as
 * some ISIC masks are), and a truly coloured mask is refused by `readMask` (maskCheck.ts).
 */
export function binarize(volume: ImageVolume, rule: ForegroundRule): BinaryMask {
  const { width, height, depth, channels, data } = volume;
  const count = width * height * depth;
  const out = new Uint8Array(count);
  const isForeground = foregroundTest(rule, data);
  if (colourChannels(channels) === 1) {
    for (let i = 0, j = 0; i < count; i++, j += channels) out[i] = isForeground(data[j]) ? 1 : 0;
  } else if (rule.kind === 'nonzero') {
    for (let i = 0, j = 0; i < count; i++, j += channels) out[i] = isForeground(data[j]) || isForeground(data[j + 1]) || isForeground(data[j + 2]) ? 1 : 0;
  } else {
    for (let i = 0, j = 0; i < count; i++, j += channels) out[i] = data[j] === data[j + 1] && data[j] === data[j + 2] && isForeground(data[j]) ? 1 : 0;
  }
  const mask: BinaryMask = { width, height, depth, data: out, spacing: volume.spacing, spacingKnown: volume.spacingKnown };
  if (volume.nifti) mask.nifti = volume.nifti;
  return mask;
}

function foregroundTest(rule: ForegroundRule, data: PixelArray): (value: number) => boolean {
  // NaN is not a label, so it is background under both rules.
  if (rule.kind === 'nonzero') return (v) => v > 0 || v < 0;
  return valueTest(rule.values, data);
}

/**
 * Reads a reference or predicted mask; palette PNGs count by index, as label maps are meant. A mask
 * the rule cannot read (colours under a value list, non-zero pixels none of which match, values an
 * exhaustive rule does not name) is an InputError, never an empty mask.
 */
export async function readMask(path: string, rule: ForegroundRule, options: { slice?: number } = {}): Promise<BinaryMask> {
  return (await readMaskVolume(path, rule, options)).mask;
}

/** `readMask` that also gives the decoded samples (their labels, for validation's label checks). */
export async function readMaskVolume(path: string, rule: ForegroundRule, options: { slice?: number } = {}): Promise<{ volume: ImageVolume; mask: BinaryMask }> {
  const volume = await readImage(path, { slice: options.slice, paletteIndices: true });
  const mask = binarize(volume, rule);
  const problem = foregroundRuleProblem(path, volume, mask, rule);
  if (problem) throw problem;
  return { volume, mask };
}
