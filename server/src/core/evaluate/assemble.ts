/**
 * From what the cases produced (rows, fixed-size sums) to summary.json and the result files. One
 * function for a whole run and for merged shards, so a merge is the same computation over the
 * same inputs in the same order — and therefore the same numbers.
 */
import { join } from 'node:path';
import { analyzeResults, type AnalysisOptions } from '../compare';
import type { FusionName, MedsegConfig } from '../config/types';
import type { Finding } from '../findings';
import { chooseFusionOnValidation } from '../fusion';
import type { ProviderAttempt } from '../inference';
import { writeFileAtomic } from '../io';
import type { PooledCounts } from '../metrics';
import { writeReport, type ReportContext } from '../report';
import { formatPerImageCsv, type PerImageRow } from '../results/perImage';
import { formatSummaryJson, summarizeMethods, type EvaluationSummary } from '../results/summary';
import { sha256 } from '../util/hash';
import { ENGINE_VERSION } from '../version';
import type { CaseFailure } from './caseEvaluation';
import type { FusionChangeRow } from './fuseCase';
import { formatFusionChangesCsv, summarizeFusion, type DeployableChoice, type StapleRun } from './fusionSummary';
import type { Shard } from './selectCases';

export interface MethodDescription {
  name: string;
  kind: 'model' | 'fusion';
  family?: string;
}

/** Everything a run (or one shard of it) produced, before any summarising. */
export interface EvaluationParts {
  split: string;
  shard?: Shard;
  /** Evaluated case ids, sorted. */
  caseIds: string[];
  methods: MethodDescription[];
  members: string[];
  fusions: FusionName[];
  /** Per-image rows in case order, models then fusions within a case. */
  rows: PerImageRow[];
  /** Validation rows, only for choosing a deployable fusion. */
  valRows: PerImageRow[];
  changes: (FusionChangeRow & { imageId: string })[];
  staple: StapleRun[];
  failures: CaseFailure[];
  pooled: Map<string, PooledCounts>;
  models: EvaluationSummary['models'];
  provider: { used: string; attempts: ProviderAttempt[] } | undefined;
}

export const UPPER_BOUND = 'fusion:best';

function deployableChoice(parts: EvaluationParts): DeployableChoice | undefined {
  if (parts.valRows.length === 0) return undefined;
  const candidates = parts.methods.map((m) => m.name).filter((m) => m !== UPPER_BOUND);
  const perMethod = Object.fromEntries(candidates.map((m) => [m, parts.valRows.filter((r) => r.method === m).map((r) => r.metrics.dice)]));
  const choice = chooseFusionOnValidation(perMethod, candidates);
  return { chosen_on_validation: choice.method, validation_images: new Set(parts.valRows.map((r) => r.imageId)).size, validation_mean_dice: choice.means };
}

export function analysisOptions(config: MedsegConfig, labelColumns: readonly string[], labelsOf: (id: string) => Record<string, string>): AnalysisOptions {
  const e = config.evaluation;
  return {
    metrics: e.metrics,
    primaryMetric: e.primaryMetric,
    alpha: e.compare.alpha,
    correction: e.compare.correction,
    correctDice: e.correctDice,
    targetHalfWidth: config.splits?.targetCiHalfwidth ?? 0.02,
    targetDice: e.targetDice,
    bootstrap: e.bootstrap,
    seed: e.seed,
    labelsOf,
    labelColumns,
  };
}

export function assembleSummary(config: MedsegConfig, labelColumns: readonly string[], labelsOf: (id: string) => Record<string, string>, parts: EvaluationParts): EvaluationSummary {
  const trainSize = (name: string) => config.models.find((m) => m.name === name)?.trainSize;
  return {
    experiment: config.name,
    time: new Date().toISOString(),
    engine_version: ENGINE_VERSION,
    config: config.file,
    split: parts.split,
    shard: parts.shard,
    provider: parts.provider,
    seeds: { bootstrap: config.evaluation.seed },
    bootstrap: config.evaluation.bootstrap,
    images: parts.caseIds.length,
    models: parts.models,
    image_list_sha256: sha256(parts.caseIds.join('\n')),
    methods: summarizeMethods({
      rows: parts.rows,
      methods: parts.methods,
      metrics: config.evaluation.metrics,
      pooled: parts.pooled,
      labelsOf,
      labelColumns,
      bootstrap: config.evaluation.bootstrap,
      seed: config.evaluation.seed,
    }),
    fusion: parts.fusions.length > 0 ? summarizeFusion(parts.members, parts.fusions, parts.rows, parts.changes, parts.staple, deployableChoice(parts)) : undefined,
    ...analyzeResults(parts.rows, parts.methods.map((m) => ({ ...m, trainSize: trainSize(m.name) })), analysisOptions(config, labelColumns, labelsOf)),
    failures: parts.failures.map((f) => ({ image_id: f.imageId, method: f.method, code: f.code, message: f.message })),
  };
}

export async function writeResults(outputDir: string, parts: EvaluationParts, summary: EvaluationSummary): Promise<void> {
  const order = parts.methods.map((m) => m.name);
  await writeFileAtomic(join(outputDir, 'per_image.csv'), formatPerImageCsv(parts.rows, order));
  if (parts.changes.length > 0) await writeFileAtomic(join(outputDir, 'fusion_changes.csv'), formatFusionChangesCsv(parts.changes, order, parts.members));
  await writeFileAtomic(join(outputDir, 'summary.json'), formatSummaryJson(summary));
}

export function failureFindings(config: MedsegConfig, failures: readonly CaseFailure[]): Finding[] {
  return failures.map((f) => ({
    code: f.code,
    severity: 'error' as const,
    message: `${f.imageId}${f.method ? ` (${f.method})` : ''}: ${f.message}`,
    location: { file: config.file },
    configPath: f.method && f.method !== 'fusion' ? ['models', config.models.findIndex((m) => m.name === f.method)] : ['dataset'],
  }));
}

/** Writes report.html; a report that cannot be drawn is a warning, never a lost result. */
export async function tryWriteReport(outputDir: string, summary: EvaluationSummary, rows: readonly PerImageRow[], ctx: ReportContext): Promise<Finding | undefined> {
  try {
    await writeReport(outputDir, summary, rows, ctx);
    return undefined;
  } catch (err) {
    return { code: 'report/failed', severity: 'warning', message: `report.html was not written: ${(err as Error).message}`, location: { file: ctx.config.file } };
  }
}
