/**
 * From what the cases produced (the per-image table, fixed-size sums, the spooled fusion changes)
 * to summary.json and the result files. One function for a whole run and for merged shards, so a
 * merge is the same computation over the same inputs in the same order — and therefore the same
 * numbers.
 */
import { resolve } from 'node:path';
import { analyzeResults, type AnalysisOptions } from '../compare';
import type { FusionName, MedsegConfig } from '../config/types';
import type { Finding } from '../findings';
import { chooseFusionOnValidation } from '../fusion';
import type { ProviderAttempt } from '../inference';
import { writeFileAtomic } from '../io';
import type { PooledCounts } from '../metrics';
import { writeReport, type ReportContext } from '../report';
import { reportFailedFinding } from '../report/staleReport';
import { FUSION_CHANGES_FILE, type FusionChangeLog } from '../results/fusionChanges';
import { FILE_NAMES_FILE, fileNamesCsvChunks } from '../results/fileNames';
import { perImageCsvChunks } from '../results/perImage';
import type { PerImageTable } from '../results/perImageTable';
import { resultPath } from '../results/resultPath';
import { writeChunksAtomic } from '../results/spoolFile';
import type { StapleRuns } from '../results/stapleRuns';
import { formatSummaryJson, summarizeMethods, type EvaluationSummary, type SkippedModel } from '../results/summary';
import { sha256 } from '../util/hash';
import { ENGINE_VERSION } from '../version';
import type { CaseFailure } from './caseEvaluation';
import { summarizeFusion, type DeployableChoice } from './fusionSummary';
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
  /** Per-image rows; its image axis is `caseIds`, its methods those of `methods`. */
  table: PerImageTable;
  /** Validation rows, only for choosing a deployable fusion (empty when none is chosen). */
  validation: PerImageTable;
  /** fusion_changes.csv: sums in memory, lines spooled to `<output>/fusion_changes.csv`. */
  changes: FusionChangeLog;
  /** STAPLE's estimates per case, on the `caseIds` axis. */
  staple: StapleRuns;
  failures: CaseFailure[];
  /** Models of the config not evaluated at all, and why (summary.json `skipped_models`). */
  skipped: SkippedModel[];
  pooled: Map<string, PooledCounts>;
  models: EvaluationSummary['models'];
  provider: { used: string; attempts: ProviderAttempt[] } | undefined;
}

export const UPPER_BOUND = 'fusion:best';

function deployableChoice(parts: EvaluationParts): DeployableChoice | undefined {
  const v = parts.validation;
  if (v.size === 0) return undefined;
  // Images by id, as a single run meets its validation cases (a merge reads them shard by shard).
  const order = v.sortedImageOrder();
  const candidates = parts.methods.map((m) => m.name).filter((m) => m !== UPPER_BOUND);
  const perMethod = Object.fromEntries(
    candidates.map((m) => {
      const dice = v.column(m, 'dice');
      return [m, Array.from(order).filter((i) => v.has(m, i)).map((i) => dice[i])];
    }),
  );
  const choice = chooseFusionOnValidation(perMethod, candidates);
  let images = 0;
  for (let i = 0; i < v.images; i++) if (v.methods.some((m) => v.has(m, i))) images++;
  return { chosen_on_validation: choice.method, validation_images: images, validation_mean_dice: choice.means };
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
      table: parts.table,
      methods: parts.methods,
      metrics: config.evaluation.metrics,
      pooled: parts.pooled,
      labelsOf,
      labelColumns,
      bootstrap: config.evaluation.bootstrap,
      seed: config.evaluation.seed,
    }),
    fusion: parts.fusions.length > 0 ? summarizeFusion(parts.members, parts.fusions, parts.table, parts.changes.totals, parts.staple, deployableChoice(parts)) : undefined,
    ...analyzeResults(parts.table, parts.methods.map((m) => ({ ...m, trainSize: trainSize(m.name) })), analysisOptions(config, labelColumns, labelsOf)),
    failures: parts.failures.map((f) => ({ image_id: f.imageId, method: f.method, code: f.code, message: f.message })),
    skipped_models: parts.skipped,
  };
}

/**
 * per_image.csv (streamed from the table), file_names.csv (id → file name), fusion_changes.csv (the spooled lines, renamed into
 * place; nothing when no case was fused) and summary.json, each atomically.
 */
export async function writeResults(outputDir: string, parts: EvaluationParts, summary: EvaluationSummary): Promise<void> {
  const order = parts.methods.map((m) => m.name);
  await writeChunksAtomic(resultPath(outputDir, 'per_image.csv'), perImageCsvChunks(parts.table, order));
  await writeChunksAtomic(resultPath(outputDir, FILE_NAMES_FILE), fileNamesCsvChunks(parts.table));
  if (resolve(parts.changes.path) !== resolve(outputDir, FUSION_CHANGES_FILE)) {
    throw new Error(`writeResults: the fusion changes were spooled for ${parts.changes.path}, not for ${outputDir}`);
  }
  await parts.changes.finish();
  await writeFileAtomic(resultPath(outputDir, 'summary.json'), formatSummaryJson(summary));
}

export function failureFindings(config: MedsegConfig, failures: readonly CaseFailure[]): Finding[] {
  return failures.map((f) => ({
    code: f.code,
    severity: 'error' as const,
    message: `${f.imageId}${f.method ? ` (${f.method})` : ''}: ${f.message}`,
    location: { file: config.file },
    configPath: f.method && f.method !== 'fusion' ? ['models', config.models.find((m) => m.name === f.method)?.index ?? -1] : ['dataset'],
  }));
}

/** Writes report.html; a report that cannot be drawn is a warning (and the old one is removed), never a lost result. */
export async function tryWriteReport(outputDir: string, summary: EvaluationSummary, table: PerImageTable, ctx: ReportContext): Promise<Finding | undefined> {
  try {
    await writeReport(outputDir, summary, table, ctx);
    return undefined;
  } catch (err) {
    return reportFailedFinding(outputDir, err, { file: ctx.config.file });
  }
}
