/** The fusion section of summary.json and `fusion_changes.csv`. */
import type { FusionName } from '../config/types';
import type { PerImageRow } from '../results/perImage';
import type { CaseOutcome } from './caseEvaluation';
import type { FusionChangeRow } from './fuseCase';

export interface DeployableChoice {
  /** The method (model or fusion, never `best`) with the highest mean Dice on the validation split. */
  chosenOnValidation: string | undefined;
  validationImages: number;
  validationMeanDice: Record<string, number | undefined>;
}

export interface FusionSummary {
  members: string[];
  fusions: string[];
  /** `fusion:best` needs the reference: the "highest possible accuracy", never a deployable model. */
  upperBound: string | undefined;
  /** How often each method won `fusion:best`. */
  bestSources: Record<string, number>;
  /** Mean over images of STAPLE's per-member estimates. */
  staple?: { sensitivity: Record<string, number>; specificity: Record<string, number>; notConverged: number };
  /** Pixels each fusion fixes and breaks relative to each member, summed over images. */
  changes: Record<string, Record<string, Omit<FusionChangeRow, 'fusion' | 'member'>>>;
  deployable?: DeployableChoice;
}

export function summarizeFusion(
  members: readonly string[],
  fusions: readonly FusionName[],
  rows: readonly PerImageRow[],
  outcomes: readonly CaseOutcome[],
  deployable: DeployableChoice | undefined,
): FusionSummary {
  const bestSources: Record<string, number> = {};
  for (const r of rows) if (r.method === 'fusion:best' && r.source) bestSources[r.source] = (bestSources[r.source] ?? 0) + 1;
  const changes: FusionSummary['changes'] = {};
  for (const o of outcomes)
    for (const c of o.changes) {
      const slot = ((changes[c.fusion] ??= {})[c.member] ??= { fixedFp: 0, fixedFn: 0, brokenFp: 0, brokenFn: 0 });
      slot.fixedFp += c.fixedFp;
      slot.fixedFn += c.fixedFn;
      slot.brokenFp += c.brokenFp;
      slot.brokenFn += c.brokenFn;
    }
  const stapleRuns = outcomes.flatMap((o) => (o.staple ? [o.staple] : []));
  const mean = (k: 'sensitivity' | 'specificity') =>
    Object.fromEntries(members.map((m, i) => [m, stapleRuns.reduce((a, s) => a + s[k][i], 0) / stapleRuns.length]));
  return {
    members: [...members],
    fusions: fusions.map((f) => `fusion:${f}`),
    upperBound: fusions.includes('best') ? 'fusion:best' : undefined,
    bestSources,
    staple: stapleRuns.length ? { sensitivity: mean('sensitivity'), specificity: mean('specificity'), notConverged: stapleRuns.filter((s) => !s.converged).length } : undefined,
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
