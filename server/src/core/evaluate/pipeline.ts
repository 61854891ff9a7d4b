/**
 * The evaluation pipeline: cases stream through (hash → cached or fresh prediction per model →
 * metrics → files) with a few cases in flight, so decoding, inference (worker threads) and metric
 * kernels overlap. Only per-image rows and fixed-size dataset sums are kept; no case's pixels
 * outlive its turn. One bad image or one NaN-producing model is a failure of that row, reported
 * and skipped; the run goes on.
 */
import { join } from 'node:path';
import type { MedsegConfig, SplitName } from '../config/types';
import type { ResolvedDataset } from '../dataset/types';
import { InputError, type Finding } from '../findings';
import { analyzeResults, type AnalysisOptions } from '../compare';
import { chooseFusionOnValidation, fusionMembers } from '../fusion';
import { writeFileAtomic } from '../io';
import { PooledCounts } from '../metrics';
import { formatPerImageCsv, type PerImageRow } from '../results/perImage';
import { PredictionCache } from '../results/predictionCache';
import { formatSummaryJson, summarizeMethods, type EvaluationSummary } from '../results/summary';
import { mapConcurrent } from '../util/concurrency';
import { sha256 } from '../util/hash';
import { ENGINE_VERSION } from '../version';
import { writeReport } from '../report';
import { evaluateCase } from './caseEvaluation';
import { fusionMethodName } from './fuseCase';
import { formatFusionChangesCsv, summarizeFusion, type DeployableChoice } from './fusionSummary';
import { selectCases, type Shard } from './selectCases';
import { FileSource, OnnxSource, type PredictionSource } from './sources';

export interface EvaluationProgress {
  done: number;
  total: number;
  imageId?: string;
  /** Inferences run so far (the rest came from the cache). */
  inferences: number;
}

export interface EvaluateOptions {
  split?: SplitName | 'all';
  /** Results folder; default `<config.output>/<config.name>`. */
  outputDir?: string;
  provider?: MedsegConfig['runtime']['provider'];
  shard?: Shard;
  signal?: AbortSignal;
  onProgress?: (p: EvaluationProgress) => void;
  /** Cases in flight at once (default 2: one decoding while one infers). */
  concurrency?: number;
  /** The command line that reproduces this run, for the report's provenance. */
  command?: string;
  /** Write report.html (default true). */
  report?: boolean;
}

export interface EvaluationResult {
  outputDir: string;
  summary: EvaluationSummary;
  rows: PerImageRow[];
  findings: Finding[];
}

export async function evaluateExperiment(config: MedsegConfig, dataset: ResolvedDataset, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const split = options.split ?? config.evaluation.split;
  const outputDir = options.outputDir ?? join(config.output, config.name);
  const metrics = config.evaluation.metrics;
  const cases = selectCases(dataset.cases, split, options.shard);
  const findings: Finding[] = [];
  if (cases.length === 0) {
    findings.push({
      code: 'evaluate/no-cases',
      severity: 'error',
      message: `No case with a reference mask in split \`${split}\`${options.shard ? ` (shard ${options.shard.index + 1}/${options.shard.count})` : ''}: nothing to evaluate.`,
      location: { file: config.file },
      configPath: ['evaluation', 'split'],
    });
  }

  const cache = new PredictionCache(join(config.runtime.cache, 'predictions'));
  const runtime = { ...config.runtime, provider: options.provider ?? config.runtime.provider };
  const sources: PredictionSource[] = [];
  try {
    for (const model of config.models) {
      options.signal?.throwIfAborted();
      try {
        sources.push(model.path ? await OnnxSource.create(model, runtime, cache, options.signal) : new FileSource(model));
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        // A model that cannot run (unreadable file, shape not matching its config, provider
        // missing) is reported; the other models are still evaluated.
        findings.push({ code: err.code, severity: 'error', message: `Model \`${model.name}\` is skipped: ${err.message}`, location: { file: config.file }, configPath: ['models', model.index, 'path'] });
      }
    }
    const running = new Set(sources.map((s) => s.model.name));
    const members = fusionMembers(config.models.filter((m) => running.has(m.name)), config.evaluation.fuseModels);
    const fusions = members.length >= 2 ? config.evaluation.fusion : [];
    const methods = [
      ...sources.map((s) => ({ name: s.model.name, kind: 'model' as const, family: s.model.family })),
      ...fusions.map((f) => ({ name: fusionMethodName(f), kind: 'fusion' as const })),
    ];
    const methodNames = methods.map((m) => m.name);
    const pooled = new Map(methodNames.map((m) => [m, new PooledCounts()]));
    const base = { sources, metrics, foreground: config.dataset.foreground, fusions, fusionMembers: members, signal: options.signal };

    let done = 0;
    const outcomes = await mapConcurrent(cases, options.concurrency ?? 2, async (c) => {
      options.signal?.throwIfAborted();
      const outcome = await evaluateCase(c, { ...base, pooled, outputDir });
      done++;
      options.onProgress?.({ done, total: cases.length, imageId: c.id, inferences: sources.reduce((a, s) => a + s.inferences, 0) });
      return outcome;
    });
    const rows = outcomes.flatMap((o) => o.rows);
    const failures = outcomes.flatMap((o) => o.failures);
    const changes = outcomes.flatMap((o) => o.changes);

    // A deployable fusion is chosen on the validation split only, then reported on this split.
    let deployable: DeployableChoice | undefined;
    if (split === 'test' && fusions.length > 0) {
      const valCases = selectCases(dataset.cases, 'val', options.shard);
      if (valCases.length > 0) {
        const valPooled = new Map(methodNames.map((m) => [m, new PooledCounts()]));
        const valRows = (await mapConcurrent(valCases, options.concurrency ?? 2, (c) => evaluateCase(c, { ...base, pooled: valPooled }))).flatMap((o) => o.rows);
        const candidates = methodNames.filter((m) => m !== fusionMethodName('best'));
        const perMethod = Object.fromEntries(candidates.map((m) => [m, valRows.filter((r) => r.method === m).map((r) => r.metrics.dice)]));
        const choice = chooseFusionOnValidation(perMethod, candidates);
        deployable = { chosen_on_validation: choice.method, validation_images: valCases.length, validation_mean_dice: choice.means };
      }
    }

    for (const f of failures) {
      findings.push({
        code: f.code,
        severity: 'error',
        message: `${f.imageId}${f.method ? ` (${f.method})` : ''}: ${f.message}`,
        location: { file: config.file },
        configPath: f.method && f.method !== 'fusion' ? ['models', config.models.findIndex((m) => m.name === f.method)] : ['dataset'],
      });
    }
    const labelsById = new Map(cases.map((c) => [c.id, c.labels]));
    const firstOnnx = sources.find((s) => s.provider);
    const summary: EvaluationSummary = {
      experiment: config.name,
      time: new Date().toISOString(),
      engine_version: ENGINE_VERSION,
      config: config.file,
      split,
      shard: options.shard,
      provider: firstOnnx ? { used: firstOnnx.provider!, attempts: firstOnnx.attempts ?? [] } : undefined,
      seeds: { bootstrap: config.evaluation.seed },
      bootstrap: config.evaluation.bootstrap,
      images: cases.length,
      models: Object.fromEntries(
        sources.map((s) => [s.model.name, { family: s.model.family, source: s.model.path ?? s.model.predictions, sha256: s.modelHash, train_size: s.model.trainSize, inferences: s.inferences }]),
      ),
      image_list_sha256: sha256(cases.map((c) => c.id).join('\n')),
      methods: summarizeMethods({
        rows,
        methods,
        metrics,
        pooled,
        labelsOf: (id) => labelsById.get(id) ?? {},
        labelColumns: dataset.labelColumns,
        bootstrap: config.evaluation.bootstrap,
        seed: config.evaluation.seed,
      }),
      fusion: fusions.length > 0 ? summarizeFusion(members, fusions, rows, outcomes, deployable) : undefined,
      ...analyzeResults(rows, methods.map((m) => ({ ...m, trainSize: config.models.find((x) => x.name === m.name)?.trainSize })), analysisOptions(config, dataset.labelColumns, (id) => labelsById.get(id) ?? {})),
      failures: failures.map((f) => ({ image_id: f.imageId, method: f.method, code: f.code, message: f.message })),
    };
    await writeFileAtomic(join(outputDir, 'per_image.csv'), formatPerImageCsv(rows, methodNames));
    if (changes.length > 0) await writeFileAtomic(join(outputDir, 'fusion_changes.csv'), formatFusionChangesCsv(changes, methodNames, members));
    await writeFileAtomic(join(outputDir, 'summary.json'), formatSummaryJson(summary));
    if (options.report !== false) {
      try {
        await writeReport(outputDir, summary, rows, { config, cases, command: options.command ?? `medseg evaluate ${config.file} --split ${split}` });
      } catch (err) {
        // The numbers are written; a report that cannot be drawn must not lose them.
        findings.push({ code: 'report/failed', severity: 'warning', message: `report.html was not written: ${(err as Error).message}`, location: { file: config.file } });
      }
    }
    return { outputDir, summary, rows, findings };
  } finally {
    await Promise.all(sources.map((s) => s.dispose()));
  }
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
