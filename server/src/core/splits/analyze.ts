/**
 * The split diagnostics of a resolved dataset: leakage (patients, identical and near-duplicate
 * images across splits), clinical-label drift, image and mask property drift, and whether the
 * evaluated split is large enough. Metadata checks always run; the image checks need the scan.
 */
import { SPLIT_NAMES, type MedsegConfig } from '../config/types';
import type { ResolvedDataset } from '../dataset/types';
import type { ConfigPath, Finding } from '../findings';
import type { ScanResult } from '../scan';
import { labelFindings } from './labelDrift';
import { duplicateImageFindings, groupLeakFindings, nearDuplicateFindings } from './leakage';
import { propertyDriftFindings } from './propertyDrift';
import { splitCasesOf, splitSourcePath, type SplitCase } from './splitCases';
import { testSizeFinding } from './testSize';

export interface AnalyzeSplitsOptions {
  /** SD of per-image Dice from an evaluation; without it the test-size check assumes 0.25. */
  observedDiceSd?: number;
}

/** The label columns to test and the config node of each (`dataset.label_columns[i]`). */
function labelColumnsOf(config: MedsegConfig, dataset: ResolvedDataset): { columns: string[]; paths: ConfigPath[] } {
  const columns = config.dataset.labelColumns.filter((c) => dataset.labelColumns.includes(c));
  return { columns, paths: columns.map((c) => ['dataset', 'label_columns', config.dataset.labelColumns.indexOf(c)]) };
}

/** The checks that only need ids, groups, labels and splits (fast enough for every keystroke). */
export function metadataSplitFindings(config: MedsegConfig, dataset: ResolvedDataset, cases: readonly SplitCase[], options: AnalyzeSplitsOptions = {}): Finding[] {
  const splits = config.splits!;
  const location = { file: config.file };
  const { columns, paths } = labelColumnsOf(config, dataset);
  const evaluated = config.evaluation.split !== 'all' ? config.evaluation.split : 'test';
  const size = testSizeFinding({
    split: evaluated,
    n: cases.filter((c) => c.split === evaluated).length,
    target: splits.targetCiHalfwidth,
    observedDiceSd: options.observedDiceSd,
    configPath: ['splits', 'target_ci_halfwidth'],
    location,
  });
  return [
    ...groupLeakFindings(cases, splitSourcePath(config)),
    ...labelFindings(cases, columns, paths, { alpha: splits.alpha, minPerLabel: splits.minPerLabel, location }),
    ...(size ? [size] : []),
  ];
}

/** The checks that need decoded images: duplicates and property drift. */
export function imageSplitFindings(config: MedsegConfig, cases: readonly SplitCase[]): Finding[] {
  const splits = config.splits!;
  const path = splitSourcePath(config);
  return [
    ...duplicateImageFindings(cases, path),
    ...nearDuplicateFindings(cases, splits.duplicateDistance, path),
    ...propertyDriftFindings(cases, splits.alpha, ['splits'], { file: config.file }),
  ];
}

/**
 * Every split finding, or none when the config has no splits section or no case has a split.
 * Without `scan` (the editor's fast pass) only the metadata checks run.
 */
export function analyzeSplits(config: MedsegConfig, dataset: ResolvedDataset, scan: ScanResult | undefined, options: AnalyzeSplitsOptions = {}): Finding[] {
  if (!config.splits) return [];
  const cases = splitCasesOf(dataset.cases, scan?.scans);
  if (cases.length === 0 || !SPLIT_NAMES.some((s) => cases.some((c) => c.split === s))) return [];
  return [...metadataSplitFindings(config, dataset, cases, options), ...(scan ? imageSplitFindings(config, cases) : [])];
}
