/**
 * What the references' label values (scan/labels.ts, kept in the scan cache) say about the way the
 * config reads them: with `dataset.regions`, a region no reference holds (in the data set, or in a
 * split that is evaluated) and values no region names; without, label maps that
 * `foreground: nonzero` would merge into one foreground. One aggregated finding per problem, so a
 * data set of 300 label maps gives one line, not 300.
 */
import type { MedsegConfig, RegionConfig, SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import type { ConfigPath, Finding } from '../findings';
import { MASK_COLOUR_LABELS, MASK_UNNAMED_LABELS, quotedValues } from '../io/maskCheck';
import { MASK_LABELS_CAP, type CaseScan } from '../scan';

export const REGION_NEVER_IN_REFERENCE = 'region/never-in-reference';
export const REGION_MISSING_IN_SPLIT = 'region/missing-in-split';
export const MASK_LABEL_MAP = 'mask/label-map';

/**
 * More distinct non-zero values than this, in one mask or over all masks that hold several: an
 * anti-aliased or soft-edged mask (its edge pixels take many values), not a label map.
 */
export const LABEL_MAP_MAX_VALUES = 16;

/** Cases named in a message as examples. */
const EXAMPLES = 3;

/** A case whose reference mask was read, with its label values (absent: a colour mask). */
interface LabelledCase {
  id: string;
  mask: string;
  split?: SplitName;
  labels?: number[];
  more: boolean;
}

export interface LabelFindingOptions {
  /** `dataset.foreground` is written in the config (an explicit `nonzero` merges labels on purpose). */
  foregroundWritten: boolean;
}

/** The label findings of a scanned data set; `scans[i]` is the scan of `cases[i]`. */
export function labelFindings(config: MedsegConfig, cases: readonly DatasetCase[], scans: readonly CaseScan[], options: LabelFindingOptions): Finding[] {
  const labelled: LabelledCase[] = [];
  cases.forEach((c, i) => {
    const m = scans[i]?.mask;
    if (!m || !c.mask) return;
    labelled.push({ id: c.id, mask: c.mask, ...(c.split ? { split: c.split } : {}), ...(m.labels ? { labels: m.labels } : {}), more: m.moreLabels === true });
  });
  if (labelled.length === 0) return [];
  if (config.dataset.regions) return regionFindings(config, config.dataset.regions, labelled);
  if (config.dataset.foreground.kind === 'nonzero' && !options.foregroundWritten) return labelMapFindings(config, labelled);
  return [];
}

function finding(config: MedsegConfig, code: string, severity: Finding['severity'], configPath: ConfigPath, message: string): Finding {
  return { code, severity, message, configPath, location: { file: config.file } };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function labelText(labels: readonly number[]): string {
  return `label${labels.length === 1 ? '' : 's'} ${quotedValues(labels)}`;
}

function examples(list: readonly LabelledCase[], values: (c: LabelledCase) => string): string {
  return list
    .slice(0, EXAMPLES)
    .map((c) => `${c.id} (${values(c)})`)
    .join(', ') + (list.length > EXAMPLES ? ', …' : '');
}

function union(lists: Iterable<readonly number[]>): number[] {
  const all = new Set<number>();
  for (const l of lists) for (const v of l) all.add(v);
  return [...all].sort((a, b) => a - b);
}

/** Whether a reference holds one of `labels`: unknown for a colour mask, or one with more values than were kept. */
function holds(c: LabelledCase, labels: readonly number[]): 'yes' | 'no' | 'unknown' {
  if (!c.labels) return 'unknown';
  if (labels.some((l) => c.labels!.includes(l))) return 'yes';
  return c.more ? 'unknown' : 'no';
}

function regionFindings(config: MedsegConfig, regions: readonly RegionConfig[], labelled: readonly LabelledCase[]): Finding[] {
  const findings: Finding[] = [];
  const named = new Set([...regions.flatMap((r) => r.labels), ...(config.dataset.otherLabels ?? [])]);
  const unnamedOf = (c: LabelledCase) => c.labels?.filter((v) => !named.has(v)) ?? [];
  // More values than the scan keeps and no more names than it keeps: some value is surely unnamed.
  const unnamed = labelled.filter((c) => c.labels && (unnamedOf(c).length > 0 || (c.more && named.size <= MASK_LABELS_CAP)));
  if (unnamed.length > 0) {
    const values = union(unnamed.map(unnamedOf));
    const namedList = [...named].sort((a, b) => a - b);
    findings.push(
      finding(
        config,
        MASK_UNNAMED_LABELS,
        'error',
        ['dataset', 'regions'],
        `${plural(unnamed.length, 'reference mask')} of ${labelled.length} hold${unnamed.length === 1 ? 's' : ''} values that no region names: ${quotedValues(values)}${unnamed.some((c) => c.more) ? ' (and more)' : ''} ` +
          `(e.g. ${examples(unnamed, (c) => quotedValues(unnamedOf(c)) || 'many values')}; \`dataset.regions\` and \`dataset.other_labels\` name ${namedList.join(', ')}). ` +
          'Evaluation refuses these cases for every region rather than count those pixels as background. ' +
          "Add each value to the region it belongs to in `dataset.regions`, or, if it labels a structure that is in no region (KiTS21's cysts), to `dataset.other_labels`.",
      ),
    );
  }
  const colour = labelled.filter((c) => !c.labels);
  if (colour.length > 0) {
    findings.push(
      finding(
        config,
        MASK_COLOUR_LABELS,
        'error',
        ['dataset', 'regions'],
        `${plural(colour.length, 'reference mask')} of ${labelled.length} ${colour.length === 1 ? 'is a colour image' : 'are colour images'} (e.g. ${colour.slice(0, EXAMPLES).map((c) => c.mask).join(', ')}${colour.length > EXAMPLES ? ', …' : ''}): ` +
          '`dataset.regions` reads labels by value, which colours are not, so evaluation refuses them. Save the masks as greyscale or palette PNGs (palette indices are labels) or as NIfTI label maps.',
      ),
    );
  }
  const seen = union(labelled.flatMap((c) => (c.labels ? [c.labels] : [])));
  const splits = evaluatedSplits(config, labelled);
  for (const r of regions) {
    const path: ConfigPath = ['dataset', 'regions', r.name];
    const states = labelled.map((c) => holds(c, r.labels));
    if (states.every((s) => s === 'no')) {
      findings.push(
        finding(
          config,
          REGION_NEVER_IN_REFERENCE,
          'warning',
          path,
          `Region \`${r.name}\` (${labelText(r.labels)}) occurs in none of the ${plural(labelled.length, 'reference mask')}, which hold ${seen.length > 0 ? labelText(seen) : 'no label at all'}: ` +
            'every case would be "both empty" for it (Dice 1, distances 0), which says nothing about a model. Check the region\'s labels against the masks, or remove the region.',
        ),
      );
      continue; // per split it would say the same again
    }
    for (const [split, why] of splits) {
      const inSplit = labelled.flatMap((c, i) => (c.split === split ? [states[i]] : []));
      if (inSplit.length === 0 || !inSplit.every((s) => s === 'no')) continue;
      findings.push(
        finding(
          config,
          REGION_MISSING_IN_SPLIT,
          'warning',
          path,
          `Region \`${r.name}\` (${labelText(r.labels)}) occurs in none of the ${plural(inSplit.length, 'reference')} of the \`${split}\` split (${why}): ` +
            'its metrics there would all be "both empty" (Dice 1, distances 0), which says nothing about a model. ' +
            `Put cases that hold it into \`${split}\` (regenerate the split, or edit the split file), or leave the region out of this evaluation.`,
        ),
      );
    }
  }
  return findings;
}

/** The splits whose metrics are reported or decide something, with what they are for; only those that have cases. */
function evaluatedSplits(config: MedsegConfig, labelled: readonly LabelledCase[]): [SplitName, string][] {
  const present = new Set(labelled.map((c) => c.split));
  const out: [SplitName, string][] = [];
  const evaluated = config.evaluation.split;
  if (evaluated !== 'all' && present.has(evaluated)) out.push([evaluated, '`evaluation.split`']);
  if (evaluated !== 'val' && present.has('val')) out.push(['val', 'where fusion\'s deployable choice is made']);
  if (evaluated !== 'test' && present.has('test')) out.push(['test', 'the held-out split']);
  return out;
}

function isLossy(file: string): boolean {
  return /\.jpe?g$/i.test(file);
}

function labelMapFindings(config: MedsegConfig, labelled: readonly LabelledCase[]): Finding[] {
  // A label map holds a few integer labels; a JPEG's or a soft edge's values are many, or not integers.
  const candidates = labelled.filter(
    (c) => c.labels && !c.more && c.labels.length >= 2 && c.labels.length <= LABEL_MAP_MAX_VALUES && c.labels.every((v) => Number.isInteger(v)) && !isLossy(c.mask),
  );
  if (candidates.length === 0) return [];
  const values = union(candidates.map((c) => c.labels!));
  // Soft-edged masks each hold a few edge values, but different ones: over the data set they are many.
  if (values.length > LABEL_MAP_MAX_VALUES) return [];
  const regionsExample = values
    .slice(0, 3)
    .map((v) => `label_${v}: [${v}]`)
    .join(', ');
  return [
    finding(
      config,
      MASK_LABEL_MAP,
      'warning',
      ['dataset', config.dataset.msd ? 'msd' : 'masks'],
      `${plural(candidates.length, 'reference mask')} of ${labelled.length} ${candidates.length === 1 ? 'is a label map' : 'are label maps'} with several non-zero values (${labelText(values)}; e.g. ${examples(candidates, (c) => quotedValues(c.labels!))}), ` +
        'and `foreground: nonzero` (the default) merges them into one foreground. ' +
        `To evaluate each structure on its own, name them in \`dataset.regions\` (\`regions: { ${regionsExample} }\`, a region may hold several labels: KiTS kidney [1, 2], tumour [2]); ` +
        `to evaluate one structure, give \`foreground\` its labels and list the others in \`other_labels\` (\`foreground: [${values[0]}]\`, \`other_labels: [${quotedValues(values.slice(1))}]\`); ` +
        'to merge them on purpose, write `foreground: nonzero`.',
    ),
  ];
}
