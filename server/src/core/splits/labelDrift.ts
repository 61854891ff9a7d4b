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
 * better split fixes. A value too rare in the whole dataset to reach `min_per_label` in a split
 * of that size whatever the assignment is a property of the dataset: one `dataset/rare-label`
 * note says so (more images of it, or a merged label, are the only fix).
 */
export function rareLabelFindings(t: LabelTable, column: string, configPath: ConfigPath, options: LabelCheckOptions, skipTrainFor: ReadonlySet<string>): Finding[] {
  if (options.minPerLabel <= 0) return [];
  const out: Finding[] = [];
  const splitSizes = t.counts.map((row) => row.reduce((a, b) => a + b, 0));
  const all = splitSizes.reduce((a, b) => a + b, 0);
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
    if (unfixable.length > 0) {
      out.push({
        code: 'dataset/rare-label',
        severity: 'info',
        message:
          `\`${column} = ${value}\` has ${total} image${total === 1 ? '' : 's'} in the whole dataset: no split can give ` +
          `${unfixable.map(({ split }) => split).join(' and ')} min_per_label = ${options.minPerLabel} of them. ` +
          `Scores for it there are anecdotes; collect more images of it or merge it with a related label.`,
        location: options.location,
        configPath,
        evidence: { test: 'min_per_label', statistic: total },
      });
    }
  });
  return out;
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
