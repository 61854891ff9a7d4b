/**
 * The checks that keep a foreground rule from turning a mask into a silent empty reference: a
 * value list cannot name colours, and a mask with non-zero pixels of which the rule matches none
 * was almost always written with another convention (0/1, 0/65535) than the rule assumes. Both are
 * InputErrors naming the file, the values found and the setting that fixes it.
 */
import { InputError } from '../findings';
import type { BinaryMask, ForegroundRule, ImageVolume } from './types';

export const MASK_RULE_MATCHES_NOTHING = 'mask/foreground-rule-matches-nothing';
export const MASK_COLOUR_LABELS = 'mask/colour-labels';

/** Distinct values quoted in a message; more are summarised with an ellipsis. */
const QUOTED_VALUES = 6;

/** RGB and RGBA masks have three colour channels; grey and grey+alpha one (alpha is never a label). */
export function colourChannels(channels: number): 1 | 3 {
  return channels >= 3 ? 3 : 1;
}

export function ruleText(rule: ForegroundRule): string {
  if (rule.kind === 'nonzero') return 'nonzero';
  return rule.values.length === 1 ? String(rule.values[0]) : `[${rule.values.join(', ')}]`;
}

/** The error that keeps `mask` (binarised from `volume` by `rule`) out of the metrics, if any. */
export function foregroundRuleProblem(file: string, volume: ImageVolume, mask: BinaryMask, rule: ForegroundRule): InputError | undefined {
  // Under `nonzero` every non-zero sample of any colour channel is foreground: nothing can be lost.
  if (rule.kind !== 'values') return undefined;
  const colour = firstColourPixel(volume);
  if (colour) {
    return new InputError(
      file,
      `${file} is a colour mask (pixel ${colour.at} is ${colour.value}): a value list (\`foreground: ${ruleText(rule)}\`) cannot say which colours are foreground. ` +
        'Use `foreground: nonzero` (every pixel with a non-zero colour channel is foreground), or save the masks as greyscale or palette PNGs (palette indices are labels).',
      MASK_COLOUR_LABELS,
    );
  }
  if (mask.data.includes(1)) return undefined;
  const found = nonZeroValues(volume, new Set(rule.otherLabels ?? []));
  if (found.pixels === 0 || found.onlyOtherLabels) return undefined;
  const values = found.values.slice(0, QUOTED_VALUES).join(', ') + (found.values.length > QUOTED_VALUES ? ', …' : '');
  const one = found.values.length === 1;
  const named = `value${one ? '' : 's'} ${values}`;
  const setTo = one ? `the value the masks use (\`foreground: ${found.values[0]}\`)` : 'the labels that are foreground';
  return new InputError(
    file,
    `${file} has ${found.pixels} non-zero pixel${found.pixels === 1 ? '' : 's'} (${named}) but \`foreground: ${ruleText(rule)}\` matches none of them, ` +
      `so the reference would be empty and every metric of this case wrong. Set \`dataset.foreground\` to ${setTo} or to \`nonzero\`; ` +
      `if ${one ? 'this value labels another structure' : 'these values label other structures'} (a label map without the target here), list ${one ? 'it' : 'them'} in \`dataset.other_labels\`.`,
    MASK_RULE_MATCHES_NOTHING,
  );
}

function firstColourPixel(volume: ImageVolume): { at: string; value: string } | undefined {
  const { width, height, channels, data } = volume;
  if (colourChannels(channels) === 1) return undefined;
  const count = width * height * volume.depth;
  for (let i = 0, j = 0; i < count; i++, j += channels) {
    if (data[j] === data[j + 1] && data[j] === data[j + 2]) continue;
    const x = i % width;
    const y = Math.floor(i / width) % height;
    const z = Math.floor(i / (width * height));
    return { at: volume.depth > 1 ? `(${x}, ${y}, ${z})` : `(${x}, ${y})`, value: `(${data[j]}, ${data[j + 1]}, ${data[j + 2]})` };
  }
  return undefined;
}

/** Non-zero pixels of a grey (or grey-as-RGB) mask, their distinct values, and whether all are other labels. */
function nonZeroValues(volume: ImageVolume, otherLabels: ReadonlySet<number>): { pixels: number; values: number[]; onlyOtherLabels: boolean } {
  const { channels, data } = volume;
  const count = volume.width * volume.height * volume.depth;
  const distinct = new Set<number>();
  let pixels = 0;
  let onlyOtherLabels = true;
  for (let i = 0, j = 0; i < count; i++, j += channels) {
    const v = data[j];
    if (!(v > 0 || v < 0)) continue;
    pixels++;
    if (distinct.size <= QUOTED_VALUES) distinct.add(v);
    if (!otherLabels.has(v)) onlyOtherLabels = false;
  }
  return { pixels, values: [...distinct].sort((a, b) => a - b), onlyOtherLabels };
}
