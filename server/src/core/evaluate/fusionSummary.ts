/** The fusion section of summary.json and `fusion_changes.csv`. */
import type { FusionName } from '../config/types';
import type { PerImageRow } from '../results/perImage';
import type { CaseFusion, FusionChangeRow } from './fuseCase';

/** STAPLE's estimates on one case. */
export type StapleRun = NonNullable<CaseFusion['staple']> & { imageId: string };

export interface DeployableChoice {
  /** The method (model or fusion, never `best`) with the highest mean Dice on the validation split. */
  chosen_on_validation: string | undefined;
  validation_images: number;
  validation_mean_dice: Record<string, number | undefined>;
}

interface ChangeCounts {
  fixed_fp: number;
  fixed_fn: number;
  broken_fp: number;
  broken_fn: number;
}

export interface FusionSummary {
  members: string[];
  fusions: string[];
  /** `fusion:best` needs the reference: the "highest possible accuracy", never a deployable model. */
  upper_bound: string | undefined;
  /** How often each method won `fusion:best`. */
  best_sources: Record<string, number>;
  /** Mean over images of STAPLE's per-member estimates. */
  staple?: { sensitivity: Record<string, number>; specificity: Record<string, number>; not_converged: number };
  /** Pixels each fusion fixes and breaks relative to each member, summed over images. */
  changes: Record<string, Record<string, ChangeCounts>>;
  deployable?: DeployableChoice;
}

export function summarizeFusion(
  members: readonly string[],
  fusions: readonly FusionName[],
  rows: readonly PerImageRow[],
  changeRows: readonly FusionChangeRow[],
  stapleRuns: readonly StapleRun[],
  deployable: DeployableChoice | undefined,
): FusionSummary {
  const bestSources: Record<string, number> = {};
  for (const r of rows) if (r.method === 'fusion:best' && r.source) bestSources[r.source] = (bestSources[r.source] ?? 0) + 1;
  const changes: FusionSummary['changes'] = {};
  for (const c of changeRows) {
      const slot = ((changes[c.fusion] ??= {})[c.member] ??= { fixed_fp: 0, fixed_fn: 0, broken_fp: 0, broken_fn: 0 });
      slot.fixed_fp += c.fixedFp;
      slot.fixed_fn += c.fixedFn;
      slot.broken_fp += c.brokenFp;
      slot.broken_fn += c.brokenFn;
  }
  const mean = (k: 'sensitivity' | 'specificity') =>
    Object.fromEntries(members.map((m, i) => [m, stapleRuns.reduce((a, s) => a + s[k][i], 0) / stapleRuns.length]));
  return {
    members: [...members],
    fusions: fusions.map((f) => `fusion:${f}`),
    upper_bound: fusions.includes('best') ? 'fusion:best' : undefined,
    best_sources: bestSources,
    staple: stapleRuns.length ? { sensitivity: mean('sensitivity'), specificity: mean('specificity'), not_converged: stapleRuns.filter((s) => !s.converged).length } : undefined,
    changes,
    deployable,
  };
}

export function formatFusionChangesCsv(changes: readonly (FusionChangeRow & { imageId: string })[], methodOrder: readonly string[], members: readonly string[]): string {
  const rank = (m: string) => methodOrder.indexOf(m);
  const sorted = [...changes].sort(
    (a, b) => (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : rank(a.fusion) - rank(b.fusion) || members.indexOf(a.member) - members.indexOf(b.member)),
  );
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return (
    ['image_id,fusion,member,fixed_fp,fixed_fn,broken_fp,broken_fn', ...sorted.map((c) => [quote(c.imageId), c.fusion, c.member, c.fixedFp, c.fixedFn, c.brokenFp, c.brokenFn].join(','))].join('\n') + '\n'
  );
}
