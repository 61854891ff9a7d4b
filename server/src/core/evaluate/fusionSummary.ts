/** The fusion section of summary.json. */
import type { FusionName } from '../config/types';
import type { ChangeTotals } from '../results/fusionChanges';
import type { PerImageTable } from '../results/perImageTable';
import type { StapleRuns } from '../results/stapleRuns';

export interface DeployableChoice {
  /** The method (model or fusion, never `best`) with the highest mean Dice on the validation split. */
  chosen_on_validation: string | undefined;
  validation_images: number;
  validation_mean_dice: Record<string, number | undefined>;
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
  changes: ChangeTotals;
  deployable?: DeployableChoice;
}

export function summarizeFusion(
  members: readonly string[],
  fusions: readonly FusionName[],
  table: PerImageTable,
  changes: ChangeTotals,
  staple: StapleRuns,
  deployable: DeployableChoice | undefined,
): FusionSummary {
  const bestSources: Record<string, number> = {};
  for (let i = 0; i < table.images; i++) {
    const source = table.source('fusion:best', i);
    if (source) bestSources[source] = (bestSources[source] ?? 0) + 1;
  }
  const mean = (k: 'sensitivity' | 'specificity') => {
    const means = staple.means(k);
    return Object.fromEntries(members.map((m, i) => [m, means[i]]));
  };
  return {
    members: [...members],
    fusions: fusions.map((f) => `fusion:${f}`),
    upper_bound: fusions.includes('best') ? 'fusion:best' : undefined,
    best_sources: bestSources,
    staple: staple.count ? { sensitivity: mean('sensitivity'), specificity: mean('specificity'), not_converged: staple.notConverged } : undefined,
    changes,
    deployable,
  };
}
