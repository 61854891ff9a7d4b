/**
 * Clinical-label balance across splits, per label column: a chi-square test of independence of
 * split × label value (scipy's chi2_contingency, Yates-corrected for 2×2) with bias-corrected
 * Cramér's V as the effect size; values present in val/test but absent from train; values too
 * rare in a split to say anything about it.
 */
import { SPLIT_NAMES, type SplitName } from '../config/types';
import type { ConfigPath, Finding, Location } from '../findings';
import { chiSquareIndependence, cramersV } from '../stats';
import { minOf, pushAll } from '../util/arrays';
import { formatP, formatStatistic, percent, type SplitCase } from './splitCases';

/** Cramér's V at or above this is a drift worth a look even when the test is not significant. */
export const DRIFT_EFFECT_THRESHOLD = 0.15;
const CHI_SQUARE_TEST = "chi-square test of independence (split × label)";

export interface LabelCheckOptions {
  alpha: number;
  minPerLabel: number;
  /** Where label findings are placed: the config file. */
  location: Location;
}

export interface LabelTable {
  splits: SplitName[];
  values: string[];
  /** counts[split][value] */
  counts: number[][];
}

/** Split × value counts of one column over the cases that have a value; empty splits are left out. */
export function labelTable(cases: readonly SplitCase[], column: string): LabelTable {
  const valueIndex = new Map<string, number>();
  const counts = new Map<SplitName, number[]>();
  const ordered = [...new Set(cases.map((c) => c.case.labels[column]).filter((v): v is string => v !== undefined))].sort();
  ordered.forEach((v, i) => valueIndex.set(v, i));
  for (const c of cases) {
    const v = c.case.labels[column];
    if (v === undefined) continue;
    let row = counts.get(c.split);
    if (!row) counts.set(c.split, (row = ordered.map(() => 0)));
    row[valueIndex.get(v)!]++;
  }
  const splits = SPLIT_NAMES.filter((s) => counts.has(s));
  return { splits, values: ordered, counts: splits.map((s) => counts.get(s)!) };
}

function columnTotals(t: LabelTable): number[] {
  return t.values.map((_, j) => t.counts.reduce((a, row) => a + row[j], 0));
}

/** The cells furthest above and below independence (Pearson residuals), as words. */
function describeImbalance(t: LabelTable, expected: readonly (readonly number[])[]): string {
  let over: [number, number, number] | undefined;
  let under: [number, number, number] | undefined;
  t.counts.forEach((row, i) =>
    row.forEach((observed, j) => {
      const e = expected[i][j];
      if (!(e > 0)) return;
      const r = (observed - e) / Math.sqrt(e);
      if (r > 0 && (!over || r > over[2])) over = [i, j, r];
      if (r < 0 && (!under || r < under[2])) under = [i, j, r];
    }),
  );
  const totals = columnTotals(t);
  const n = totals.reduce((a, b) => a + b, 0);
  const phrase = ([i, j]: [number, number, number], word: string): string => {
    const splitTotal = t.counts[i].reduce((a, b) => a + b, 0);
    return `\`${t.values[j]}\` is ${word} in ${t.splits[i]} (${percent(t.counts[i][j], splitTotal)} of ${t.splits[i]} vs ${percent(totals[j], n)} overall)`;
  };
  return [over ? phrase(over, 'over-represented') : undefined, under ? phrase(under, 'under-represented') : undefined].filter(Boolean).join(', and ');
}

/** `split/label-drift` for one column, or nothing. */
export function labelDriftFinding(t: LabelTable, column: string, configPath: ConfigPath, options: LabelCheckOptions): Finding | undefined {
  if (t.splits.length < 2 || t.values.length < 2) return undefined;
  const chi = chiSquareIndependence(t.counts);
  const v = cramersV(t.counts, { biasCorrected: true });
  if (!(chi.p < options.alpha || v >= DRIFT_EFFECT_THRESHOLD)) return undefined;
  const smallExpected = chi.expected.flat().filter((e) => e < 5).length;
  const caveat =
    smallExpected > 0
      ? ` ${smallExpected} of ${chi.expected.flat().length} expected counts are below 5, so the p-value is approximate.`
      : '';
  const why = chi.p < options.alpha ? `p < alpha = ${options.alpha}` : `V ≥ ${DRIFT_EFFECT_THRESHOLD}`;
  const vText = Number.isFinite(v) ? v.toFixed(3) : 'undefined (too few images)';
  return {
    code: 'split/label-drift',
    severity: 'warning',
    message:
      `\`${column}\` is distributed differently across ${t.splits.join(', ')} (${CHI_SQUARE_TEST}: χ² = ${formatStatistic(chi.statistic)}, ` +
      `dof = ${chi.df}, p = ${formatP(chi.p)}; bias-corrected Cramér's V = ${vText}; ${why}): ${describeImbalance(t, chi.expected)}. ` +
      `Stratify the split by \`${column}\` (\`medseg split\` does).${caveat}`,
    location: options.location,
    configPath,
    evidence: {
      test: CHI_SQUARE_TEST,
      statistic: chi.statistic,
      p: chi.p,
      ...(Number.isFinite(v) ? { effectSize: v, effectName: "Cramér's V (bias-corrected)" } : {}),
    },
  };
}

/** Values seen in val or test but never in train (nothing when there is no train split). */
export function valuesAbsentFromTrain(t: LabelTable): Set<string> {
  const train = t.splits.indexOf('train');
  if (train < 0) return new Set();
  return new Set(t.values.filter((_, j) => t.counts[train][j] === 0 && t.counts.some((row) => row[j] > 0)));
}

/** `split/label-missing-in-train`: an error when the value is in test, a warning when only in val. */
export function missingInTrainFindings(t: LabelTable, column: string, configPath: ConfigPath, options: LabelCheckOptions): Finding[] {
  const absent = valuesAbsentFromTrain(t);
  return t.values.flatMap((value, j): Finding[] => {
    if (!absent.has(value)) return [];
    const elsewhere = t.splits.map((s, i) => [s, t.counts[i][j]] as const).filter(([, n]) => n > 0);
    const inTest = elsewhere.some(([s]) => s === 'test');
    const where = elsewhere.map(([s, n]) => `${n} in ${s}`).join(' and ');
    return [
      {
        code: 'split/label-missing-in-train',
        severity: inTest ? 'error' : 'warning',
        message:
          `\`${column} = ${value}\` has images (${where}) but no images in train: the model never sees it in training, so its ` +
          `${inTest ? 'test' : 'validation'} score on these images measures extrapolation. Move some of its patients to train.`,
        location: options.location,
        configPath,
        evidence: { test: 'images in train', statistic: 0 },
      },
    ];
  });
}

/**
 * `split/rare-label`: values with fewer than `min_per_label` images in a split that a split
 * proportional to the split sizes would have given enough — a problem of the split, which a
 * better split fixes. Values whose proportional share of a split is itself below `min_per_label`
 * are a matter of the dataset's size and the split's proportions, not of the assignment (a split
 * that gave them more would over-represent them there): one `dataset/rare-label` note per column
 * lists them with their proportional shares.
 */
export function rareLabelFindings(t: LabelTable, column: string, configPath: ConfigPath, options: LabelCheckOptions, skipTrainFor: ReadonlySet<string>): Finding[] {
  if (options.minPerLabel <= 0) return [];
  const out: Finding[] = [];
  const splitSizes = t.counts.map((row) => row.reduce((a, b) => a + b, 0));
  const all = splitSizes.reduce((a, b) => a + b, 0);
  const tooRare: RareValue[] = [];
  t.values.forEach((value, j) => {
    const total = t.counts.reduce((a, row) => a + row[j], 0);
    const short = t.splits
      .map((s, i) => ({ split: s, n: t.counts[i][j], expected: (total * splitSizes[i]) / all }))
      .filter(({ split, n }) => n < options.minPerLabel && !(split === 'train' && skipTrainFor.has(value)));
    if (short.length === 0) return;
    const fixable = short.filter((x) => x.expected >= options.minPerLabel);
    const unfixable = short.filter((x) => x.expected < options.minPerLabel);
    if (fixable.length > 0) {
      out.push({
        code: 'split/rare-label',
        severity: 'warning',
        message:
          `\`${column} = ${value}\` has fewer than min_per_label = ${options.minPerLabel} images in ` +
          `${fixable.map(({ split, n, expected }) => `${split} (${n}; a proportional split would give ${expected.toFixed(1)})`).join(', ')}: ` +
          `too few to train on or to measure a score for it there. Stratify the split by \`${column}\` (\`medseg split\` does).`,
        location: options.location,
        configPath,
        evidence: { test: 'min_per_label', statistic: minOf(fixable.map((x) => x.n)) },
      });
    }
    if (unfixable.length > 0) tooRare.push({ value, total, shares: unfixable.map(({ split, expected }) => ({ split, expected })) });
  });
  if (tooRare.length > 0) out.push(tooRareFinding(tooRare, t, splitSizes, column, configPath, options));
  return out;
}

interface RareValue {
  value: string;
  total: number;
  /** The splits where its proportional share is below min_per_label, with that share. */
  shares: { split: SplitName; expected: number }[];
}

/** Values listed by name in a `dataset/rare-label` note; the rest are counted. */
const RARE_VALUES_LISTED = 8;

/** One `dataset/rare-label` note for a column: its values whose proportional share of a split is below min_per_label, rarest first. */
function tooRareFinding(values: RareValue[], t: LabelTable, splitSizes: number[], column: string, configPath: ConfigPath, options: LabelCheckOptions): Finding {
  const all = splitSizes.reduce((a, b) => a + b, 0);
  const sorted = [...values].sort((a, b) => a.total - b.total || (a.value < b.value ? -1 : 1));
  const listed = sorted.slice(0, RARE_VALUES_LISTED).map(
    (v, i) => `\`${v.value}\` (${v.total}${i === 0 ? ` image${v.total === 1 ? '' : 's'}` : ''}: ${v.shares.map(({ split, expected }) => `${split} ${expected.toFixed(1)}`).join(', ')})`,
  );
  const more = sorted.length - listed.length;
  const proportions = t.splits.map((split, i) => `${split} ${percent(splitSizes[i], all)}`).join(', ');
  const many = values.length > 1;
  return {
    code: 'dataset/rare-label',
    severity: 'info',
    message:
      `\`${column}\`: ${many ? `${values.length} values are` : 'a value is'} too rare for a split in these proportions (${proportions}) ` +
      `to give ${many ? 'each' : 'it'} min_per_label = ${options.minPerLabel} images in every split. Proportional shares: ` +
      `${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}. ` +
      `Giving ${many ? 'them' : 'it'} more in a split would over-represent ${many ? 'them' : 'it'} there, so no reassignment fixes this; per-label scores there are anecdotes. ` +
      `Collect more images, merge related values, or lower \`splits.min_per_label\`.`,
    location: options.location,
    configPath,
    evidence: { test: 'min_per_label', statistic: minOf(values.map((v) => v.total)) },
  };
}

export function labelFindings(cases: readonly SplitCase[], columns: readonly string[], configPaths: readonly ConfigPath[], options: LabelCheckOptions): Finding[] {
  const out: Finding[] = [];
  columns.forEach((column, k) => {
    const t = labelTable(cases, column);
    const drift = labelDriftFinding(t, column, configPaths[k], options);
    if (drift) out.push(drift);
    pushAll(out, missingInTrainFindings(t, column, configPaths[k], options), rareLabelFindings(t, column, configPaths[k], options, valuesAbsentFromTrain(t)));
  });
  return out;
}
