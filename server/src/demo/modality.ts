/** What every modality generator returns, and what the summary reports about it. */
import type { DemoCase, DemoSplit } from './cohort';
import type { PlantedProblems, SplitPlan } from './splitPlan';
import type { TrainedModelOutcome } from './trainedModel';

export type DemoModality = 'dermoscopy' | 'histology' | 'ct';

export interface DemoModalitySummary {
  modality: DemoModality;
  /** Absolute folder of the modality's data, configs and README section. */
  folder: string;
  images: number;
  patients: number;
  /** Images per split in the planted `splits.csv`. */
  splits: Record<DemoSplit, number>;
  /** Images per split in `splits_clean.csv`. */
  cleanSplits: Record<DemoSplit, number>;
  /** Cases whose mask is empty (histology patches without tumour). */
  emptyMasks: number;
  /** Label column → value → number of images. */
  labelCounts: Record<string, Record<string, number>>;
  leakPatient: string;
  drift: { column: string; value: string };
  rare: { column: string; value: string };
  /** Image ids of the planted exact duplicate (original in train, copy in test). */
  duplicate?: [string, string];
  configs: { planted: string; clean: string };
  /** Dermoscopy: whether the trained model and its config were written, or why not. */
  trainedModel?: TrainedModelOutcome;
}

export interface GenerateContext {
  seed: number;
  scale: number;
  signal?: AbortSignal;
  /**
   * Dermoscopy: the trained model's asset (`./trainedModel`); `null` when it was looked for and
   * not found, undefined when it is not wanted.
   */
  trainedModel?: string | null;
  /** Called after each written image or volume of the modality being generated. */
  onProgress?: (done: number, total: number) => void;
}

export function countSplits(cases: readonly DemoCase[], splits: ReadonlyMap<string, DemoSplit>): Record<DemoSplit, number> {
  const out: Record<DemoSplit, number> = { train: 0, val: 0, test: 0 };
  for (const c of cases) out[splits.get(c.id)!]++;
  return out;
}

export function countLabels(cases: readonly DemoCase[], columns: readonly string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const column of columns) {
    out[column] = {};
    for (const c of cases) out[column][c.labels[column]] = (out[column][c.labels[column]] ?? 0) + 1;
  }
  return out;
}

/** The summary fields every modality reports the same way (counts, splits, planted problems). */
export function summarizeModality(
  modality: DemoModality,
  folder: string,
  cases: readonly DemoCase[],
  labelColumns: readonly string[],
  plan: SplitPlan,
  problems: PlantedProblems,
  emptyMasks: number,
  configs: DemoModalitySummary['configs'],
): DemoModalitySummary {
  return {
    modality,
    folder,
    images: cases.length,
    patients: new Set(cases.map((c) => c.patientId)).size,
    splits: countSplits(cases, plan.planted),
    cleanSplits: countSplits(cases, plan.clean),
    emptyMasks,
    labelCounts: countLabels(cases, labelColumns),
    leakPatient: plan.leakPatient,
    drift: { column: problems.column, value: problems.drift },
    rare: { column: problems.column, value: problems.rare },
    configs,
  };
}
