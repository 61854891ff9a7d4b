/**
 * A stored prediction (`predictions:` files of another tool) as foreground probabilities. What
 * the values mean is the model's `prediction_values`:
 * - `probabilities`: an integer raster is value / (2^bits − 1), a float volume is clamped to [0, 1];
 * - `labels`: a label map in the references' label space, binarised by `dataset.foreground` with
 *   the references' checks (io/maskCheck.ts);
 * - `auto` (default): a file with one non-zero value (0/1, 0/255, one colour on black) is a mask,
 *   otherwise probabilities, except what cannot be told apart: a colour image with several colours
 *   (a colour map), or an integer file holding only labels of a value-list foreground rule (a
 *   label map read as value/255 would be an almost empty prediction). Those are refused with the
 *   setting that decides.
 */
import { InputError } from '../findings';
import { binarize, type ForegroundRule, type ImageVolume } from '../io';
import { colourChannels, predictionRuleProblem, ruleText } from '../io/maskCheck';

export type PredictionValues = 'auto' | 'probabilities' | 'labels';

export const PREDICTION_COLOUR_MAP = 'prediction/colour-map';
export const PREDICTION_AMBIGUOUS_VALUES = 'prediction/ambiguous-values';

type ColourKind = { kind: 'grey' } | { kind: 'one-colour' } | { kind: 'several'; example: string };

/** Grey (also grey saved as RGB), a single colour on black, or a colour map. */
function colourKind(v: ImageVolume): ColourKind {
  const c = v.channels;
  if (colourChannels(c) === 1) return { kind: 'grey' };
  const n = v.width * v.height * v.depth;
  const d = v.data;
  let coloured = false;
  let colour: [number, number, number] | undefined;
  for (let i = 0, j = 0; i < n; i++, j += c) {
    const r = d[j];
    const g = d[j + 1];
    const b = d[j + 2];
    if (r !== g || g !== b) coloured = true;
    if (r === 0 && g === 0 && b === 0) continue;
    if (!colour) colour = [r, g, b];
    else if (colour[0] !== r || colour[1] !== g || colour[2] !== b) {
      if (coloured || r !== g || g !== b) return { kind: 'several', example: `(${colour.join(', ')}) and (${r}, ${g}, ${b})` };
    }
  }
  return coloured ? { kind: 'one-colour' } : { kind: 'grey' };
}

function isInteger(v: ImageVolume): boolean {
  return !(v.data instanceof Float32Array || v.data instanceof Float64Array);
}

export function predictionFileProbabilities(file: string, v: ImageVolume, values: PredictionValues, rule: ForegroundRule): Float32Array {
  if (values === 'labels') {
    const mask = binarize(v, rule);
    const problem = predictionRuleProblem(file, v, mask, rule);
    if (problem) throw problem;
    return Float32Array.from(mask.data);
  }
  const n = v.width * v.height * v.depth;
  const c = v.channels;
  const d = v.data;
  const colour = colourKind(v);
  if (colour.kind === 'several') {
    throw new InputError(
      file,
      `${file} is a colour image with several colours (${colour.example}), so neither a mask nor a probability map can be read from it: write predictions as grey masks or probability maps (8/16-bit, value/max), or as label maps with \`prediction_values: labels\`.`,
      PREDICTION_COLOUR_MAP,
    );
  }
  if (colour.kind === 'one-colour') {
    const out = new Float32Array(n);
    for (let i = 0, j = 0; i < n; i++, j += c) out[i] = d[j] !== 0 || d[j + 1] !== 0 || d[j + 2] !== 0 ? 1 : 0;
    return out;
  }
  let other: number | undefined;
  let binary = values === 'auto';
  let onlyLabels = values === 'auto' && rule.kind === 'values' && isInteger(v);
  const labels = new Set(rule.kind === 'values' ? [...rule.values, ...(rule.otherLabels ?? [])] : []);
  const found = new Set<number>();
  for (let i = 0; i < n && (binary || onlyLabels); i++) {
    const x = d[i * c];
    if (x === 0) continue;
    if (other === undefined) other = x;
    else if (x !== other) binary = false;
    if (!labels.has(x)) onlyLabels = false;
    else found.add(x);
  }
  if (!binary && onlyLabels && found.size >= 2) {
    const list = [...found].sort((a, b) => a - b).join(', ');
    throw new InputError(
      file,
      `${file} holds only the values ${list}, which are labels of \`dataset.foreground: ${ruleText(rule)}\`: as a probability map (value/${2 ** (v.bitDepth <= 8 ? 8 : 16) - 1}) it would be an almost empty prediction. ` +
        'Say what the files are: `prediction_values: labels` (label maps, binarised like the references) or `prediction_values: probabilities` on the model.',
      PREDICTION_AMBIGUOUS_VALUES,
    );
  }
  const out = new Float32Array(n);
  const scale = binary ? 0 : isInteger(v) ? 1 / (2 ** (v.bitDepth <= 8 ? 8 : 16) - 1) : 1;
  for (let i = 0; i < n; i++) {
    const x = d[i * c];
    out[i] = binary ? (x !== 0 ? 1 : 0) : Math.min(1, Math.max(0, x * scale));
  }
  return out;
}
