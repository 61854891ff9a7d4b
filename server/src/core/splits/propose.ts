/**
 * The split that `medseg split` proposes: grouped by patient and volume, duplicates and
 * near-duplicates kept together, stratified by the label columns, and among `tries` seeds the one
 * that the split diagnostics find cleanest (fewest drift findings at the config's alpha), then the
 * one whose label proportions and image/mask property distributions are closest across splits.
 */
import { SPLIT_NAMES, type MedsegConfig, type SplitName, type SplitsConfig } from '../config/types';
import type { DatasetCase, ResolvedDataset } from '../dataset/types';
import type { ScanResult } from '../scan';
import { casePropertyValues } from './caseProperties';
import { chooseSplits, type ChosenSplits } from './generate';
import { labelFindings } from './labelDrift';
import { duplicateLinks } from './leakage';
import { propertyTests } from './propertyDrift';
import { scannedCasesOf, type SplitCase } from './splitCases';

export const DEFAULT_RATIOS: Readonly<Record<SplitName, number>> = { train: 0.7, val: 0.15, test: 0.15 };
export const DEFAULT_TRIES = 20;
/** What the penalty counts: findings that would make `medseg validate` call the split unbalanced. */
const DRIFT_CODES = new Set(['split/label-drift', 'split/label-missing-in-train']);

export interface ProposeSplitsOptions {
  seed?: number;
  tries?: number;
  ratios?: Record<SplitName, number>;
  stratify?: string[];
  signal?: AbortSignal;
  onTry?: (done: number, tries: number) => void;
}

export interface ProposedSplits extends ChosenSplits {
  ratios: Record<SplitName, number>;
  stratify: string[];
  tries: number;
  /** Sets of identical or near-duplicate images kept in one split. */
  linkedSets: number;
  /** Whether image and mask properties took part (a scan was given). */
  usedProperties: boolean;
}

/** The split settings the checks use when the config has no splits section. */
function splitsSettings(config: MedsegConfig): SplitsConfig {
  return config.splits ?? { alpha: 0.05, minPerLabel: 5, targetCiHalfwidth: 0.02, duplicateDistance: 4 };
}

/** Drift findings of an assignment: label drift, labels absent from train, property drift. */
export function countDriftFindings(
  config: MedsegConfig,
  columns: readonly string[],
  cases: readonly DatasetCase[],
  scans: ScanResult['scans'] | undefined,
  assignment: ReadonlyMap<string, SplitName>,
): number {
  const settings = splitsSettings(config);
  const views: SplitCase[] = scannedCasesOf(cases, scans)
    .map((c) => ({ ...c, split: assignment.get(c.case.id) }))
    .filter((c): c is SplitCase => c.split !== undefined);
  const labels = labelFindings(
    views,
    columns,
    columns.map(() => []),
    { alpha: settings.alpha, minPerLabel: 0, location: { file: config.file } },
  ).filter((f) => DRIFT_CODES.has(f.code)).length;
  const properties = scans ? propertyTests(views, settings.alpha, { describe: false }).filter((t) => t.pAdjusted < settings.alpha).length : 0;
  return labels + properties;
}

export function proposeSplits(config: MedsegConfig, dataset: ResolvedDataset, scan: ScanResult | undefined, options: ProposeSplitsOptions = {}): ProposedSplits {
  const generate = config.splits?.generate;
  const columns = config.dataset.labelColumns.filter((c) => dataset.labelColumns.includes(c));
  const ratios = options.ratios ?? generate?.ratios ?? { ...DEFAULT_RATIOS };
  const stratify = options.stratify ?? (generate && generate.stratify.length > 0 ? generate.stratify : columns);
  const seed = options.seed ?? generate?.seed ?? 0;
  const tries = Math.max(1, Math.floor(options.tries ?? DEFAULT_TRIES));
  const scanned = scannedCasesOf(dataset.cases, scan?.scans);
  const together = scan ? duplicateLinks(scanned, splitsSettings(config).duplicateDistance) : [];
  const properties = scan ? casePropertyValues(scanned) : undefined;
  const chosen = chooseSplits(dataset.cases, {
    ratios,
    stratify,
    seed,
    tries,
    together,
    properties,
    penalty: (assignment) => countDriftFindings(config, columns, dataset.cases, scan?.scans, assignment),
    signal: options.signal,
    onTry: options.onTry,
  });
  return { ...chosen, ratios, stratify, tries, linkedSets: together.length, usedProperties: properties !== undefined };
}

export function splitCounts(assignment: ReadonlyMap<string, SplitName>): Record<SplitName, number> {
  const out = Object.fromEntries(SPLIT_NAMES.map((s) => [s, 0])) as Record<SplitName, number>;
  for (const s of assignment.values()) out[s]++;
  return out;
}
