/**
 * The checks that keep a foreground rule from turning a mask into a silent empty reference: a
 * value list cannot name colours, a mask with non-zero pixels of which the rule matches none was
 * almost always written with another convention (0/1, 0/65535) than the rule assumes, and under an
 * exhaustive rule (`dataset.regions`) a value no region names would silently be background. Each
 * is an InputError naming the file, the values found and the setting that fixes it.
 */
import { InputError } from '../findings';
import type { BinaryMask, ForegroundRule, ImageVolume } from './types';
import { valueTable } from './valueTest';

export const MASK_RULE_MATCHES_NOTHING = 'mask/foreground-rule-matches-nothing';
export const MASK_COLOUR_LABELS = 'mask/colour-labels';
export const MASK_UNNAMED_LABELS = 'mask/unnamed-labels';
export const PREDICTION_UNNAMED_LABELS = 'prediction/unnamed-labels';

/** Whose file a mask is: a reference, or a label-map prediction (`prediction_values: labels`). */
export type MaskRole = 'reference' | 'prediction';

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

/** Up to a few values for a message, with an ellipsis when there are more. */
export function quotedValues(values: readonly number[]): string {
  return values.slice(0, QUOTED_VALUES).join(', ') + (values.length > QUOTED_VALUES ? ', …' : '');
}

/** `foregroundRuleProblem` for a label-map prediction file: its unnamed labels are `prediction/unnamed-labels`. */
export function predictionRuleProblem(file: string, volume: ImageVolume, mask: BinaryMask, rule: ForegroundRule): InputError | undefined {
  return foregroundRuleProblem(file, volume, mask, rule, 'prediction');
}

/** The error that keeps `mask` (binarised from `volume` by `rule`) out of the metrics, if any. */
export function foregroundRuleProblem(file: string, volume: ImageVolume, mask: BinaryMask, rule: ForegroundRule, role: MaskRole = 'reference'): InputError | undefined {
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
  // Under an exhaustive rule every non-zero value is foreground or another label, so a rule that
  // matches nothing here has only other labels: a true empty reference.
  if (rule.exhaustive) return unnamedLabelsProblem(file, volume, rule, role);
  if (mask.data.includes(1)) return undefined;
  const found = nonZeroValues(volume, new Set(rule.otherLabels ?? []));
  if (found.pixels === 0 || found.onlyOtherLabels) return undefined;
  const values = quotedValues(found.values);
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

/** Non-zero values of a grey mask that are neither in `rule.values` nor in `rule.otherLabels`. */
function unnamedLabelsProblem(file: string, volume: ImageVolume, rule: ForegroundRule & { kind: 'values' }, role: MaskRole): InputError | undefined {
  const named = [...new Set([...rule.values, ...(rule.otherLabels ?? [])])].sort((a, b) => a - b);
  const found = unnamedValues(volume, named);
  if (found.pixels === 0) return undefined;
  const one = found.values.length === 1;
  const what = `${found.pixels} pixel${found.pixels === 1 ? '' : 's'} with value${one ? '' : 's'} ${quotedValues(found.values)}`;
  const namedText = `\`dataset.regions\` and \`dataset.other_labels\` name ${named.join(', ')}`;
  if (role === 'prediction') {
    return new InputError(
      file,
      `${file} (a label-map prediction) has ${what} that no region names (${namedText}), so its regions cannot be read from it. ` +
        `If the model labels a structure that is in no region, list ${one ? 'the value' : 'the values'} in \`dataset.other_labels\` (background of every region) or add ${one ? 'it' : 'them'} to the region${one ? '' : 's'} ${one ? 'it belongs' : 'they belong'} to; ` +
        "if the model numbers its labels differently from the references, relabel its prediction files to the references' labels.",
      PREDICTION_UNNAMED_LABELS,
    );
  }
  return new InputError(
    file,
    `${file} has ${what} that no region names (${namedText}), so ${one ? 'it' : 'they'} would silently be background of every region. ` +
      `Add ${one ? 'the value' : 'each value'} to the region it belongs to in \`dataset.regions\`, or, if it labels a structure that is in no region (KiTS21's cysts), to \`dataset.other_labels\`.`,
    MASK_UNNAMED_LABELS,
  );
}

/**
 * One pass over the grey samples: pixels whose value is non-zero and not named, and their first
 * distinct values. 8/16-bit samples by a table in the loop; wider ones (int32, float NIfTI) by a
 * set, skipping runs of the last named value (label maps are long runs), so a voxel costs a compare.
 */
function unnamedValues(volume: ImageVolume, named: readonly number[]): { pixels: number; values: number[] } {
  const { channels, data } = volume;
  const count = volume.width * volume.height * volume.depth;
  const distinct = new Set<number>();
  let pixels = 0;
  const lookup = valueTable([0, ...named], data);
  if (lookup) {
    const { table, offset } = lookup;
    for (let i = 0, j = 0; i < count; i++, j += channels) {
      const v = data[j];
      if (table[v + offset] === 1) continue;
      pixels++;
      if (distinct.size <= QUOTED_VALUES) distinct.add(v);
    }
  } else {
    const set = new Set(named);
    let last = 0;
    for (let i = 0, j = 0; i < count; i++, j += channels) {
      const v = data[j];
      if (v === last || v === 0 || v !== v) continue; // 0 and NaN are background
      if (set.has(v)) {
        last = v;
        continue;
      }
      pixels++;
      if (distinct.size <= QUOTED_VALUES) distinct.add(v);
    }
  }
  return { pixels, values: [...distinct].sort((a, b) => a - b) };
}
