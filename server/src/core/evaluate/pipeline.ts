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
import { fusionMembers } from '../fusion';
import { PooledCounts } from '../metrics';
import type { PerImageRow } from '../results/perImage';
import { PredictionCache } from '../results/predictionCache';
import type { EvaluationSummary } from '../results/summary';
import { mapConcurrent } from '../util/concurrency';
import { assembleSummary, failureFindings, tryWriteReport, writeResults, type EvaluationParts } from './assemble';
import { evaluateCase } from './caseEvaluation';
import { fusionMethodName } from './fuseCase';
import { selectCases, type Shard } from './selectCases';
import { writeShardParts } from './shardParts';
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
      const outcome = { imageId: c.id, ...(await evaluateCase(c, { ...base, pooled, outputDir })) };
      done++;
      options.onProgress?.({ done, total: cases.length, imageId: c.id, inferences: sources.reduce((a, s) => a + s.inferences, 0) });
      return outcome;
    });
    // A deployable fusion is chosen on the validation split only, then reported on this split.
    let valRows: PerImageRow[] = [];
    if (split === 'test' && fusions.length > 0) {
      const valCases = selectCases(dataset.cases, 'val', options.shard);
      const valPooled = new Map(methodNames.map((m) => [m, new PooledCounts()]));
      valRows = (await mapConcurrent(valCases, options.concurrency ?? 2, (c) => evaluateCase(c, { ...base, pooled: valPooled }))).flatMap((o) => o.rows);
    }
    const parts: EvaluationParts = {
      split,
      shard: options.shard,
      caseIds: cases.map((c) => c.id),
      methods,
      members,
      fusions,
      rows: outcomes.flatMap((o) => o.rows),
      valRows,
      changes: outcomes.flatMap((o) => o.changes),
      staple: outcomes.flatMap((o) => (o.staple ? [{ imageId: o.imageId, ...o.staple }] : [])),
      failures: outcomes.flatMap((o) => o.failures),
      pooled,
      models: Object.fromEntries(
        sources.map((s) => [s.model.name, { family: s.model.family, source: s.model.path ?? s.model.predictions, sha256: s.modelHash, train_size: s.model.trainSize, inferences: s.inferences }]),
      ),
      provider: sources.find((s) => s.provider) ? { used: sources.find((s) => s.provider)!.provider!, attempts: sources.find((s) => s.provider)!.attempts ?? [] } : undefined,
    };
    findings.push(...failureFindings(config, parts.failures));
    const labels = new Map(dataset.cases.map((c) => [c.id, c.labels]));
    const summary = assembleSummary(config, dataset.labelColumns, (id) => labels.get(id) ?? {}, parts);
    await writeResults(outputDir, parts, summary);
    if (options.shard) await writeShardParts(outputDir, parts, config.file);
    if (options.report !== false) {
      const report = await tryWriteReport(outputDir, summary, parts.rows, { config, cases, command: options.command ?? `medseg evaluate ${config.file} --split ${split}` });
      if (report) findings.push(report);
    }
    return { outputDir, summary, rows: parts.rows, findings };
  } finally {
    await Promise.all(sources.map((s) => s.dispose()));
  }
}
