/**
 * What every split check works on: the cases that have a split, with their scan when there is one,
 * and the few wording helpers the checks share.
 */
import { SPLIT_NAMES, type MedsegConfig, type SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import type { ConfigPath } from '../findings';
import type { CaseScan } from '../scan';

/** A case with its scan (when the images were read); `split` when it has one. */
export interface ScannedCase {
  case: DatasetCase;
  split?: SplitName;
  scan?: CaseScan;
}

export interface SplitCase extends ScannedCase {
  split: SplitName;
}

/** Every case with its scan, split or not (what the generator works on). */
export function scannedCasesOf(cases: readonly DatasetCase[], scans?: readonly CaseScan[]): ScannedCase[] {
  const byId = scansById(scans);
  return cases.map((c) => ({ case: c, split: c.split, scan: byId.get(c.id) }));
}

function scansById(scans?: readonly CaseScan[]): Map<string, CaseScan> {
  const byId = new Map<string, CaseScan>();
  for (const s of scans ?? []) if (!s.error) byId.set(s.id, s);
  return byId;
}

export function splitCasesOf(cases: readonly DatasetCase[], scans?: readonly CaseScan[]): SplitCase[] {
  const byId = scansById(scans);
  const out: SplitCase[] = [];
  for (const c of cases) if (c.split !== undefined) out.push({ case: c, split: c.split, scan: byId.get(c.id) });
  return out;
}

/** The config node where split leaks are fixed: the split file, or the generator settings. */
export function splitSourcePath(config: MedsegConfig): ConfigPath {
  return config.splits?.file !== undefined ? ['splits', 'file'] : config.splits?.generate !== undefined ? ['splits', 'generate'] : ['splits'];
}

/** Evaluation side first: a leak is reported where it does harm (at the test image). */
export const SPLITS_BY_EXPOSURE: readonly SplitName[] = ['test', 'val', 'train'];

export function exposureRank(split: SplitName | undefined): number {
  return split === undefined ? SPLITS_BY_EXPOSURE.length : SPLITS_BY_EXPOSURE.indexOf(split);
}

export function splitsInOrder(splits: Iterable<SplitName>): SplitName[] {
  const present = new Set(splits);
  return SPLIT_NAMES.filter((s) => present.has(s));
}

/** p-values as people read them: two significant digits, scientific below 10⁻⁴. */
export function formatP(p: number): string {
  if (p < 1e-4) return p.toExponential(1);
  return p.toPrecision(2);
}

export function formatStatistic(x: number): string {
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '0 %' : `${((100 * part) / whole).toFixed(1)} %`;
}
