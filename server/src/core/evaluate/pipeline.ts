/**
 * The evaluation pipeline: cases stream through (hash → cached or fresh prediction per model →
 * metrics → files) with a few cases in flight, so decoding, inference (worker threads) and metric
 * kernels overlap. Only the per-image table (typed columns), fixed-size dataset sums and
 * STAPLE's per-case estimates are kept; fusion changes go to disk as they come; no case's pixels
 * outlive its turn. One bad image or one NaN-producing model is a failure of that row, reported
 * and skipped; the run goes on.
 */
import { join } from 'node:path';
import type { MedsegConfig, SplitName } from '../config/types';
import type { ResolvedDataset } from '../dataset/types';
import { InputError, type Finding } from '../findings';
import { fusionMembers } from '../fusion';
import { cacheNotSavedFinding, probeWritable, resultsDestination, writingInto, WriteError, type Destination } from '../io/writeErrors';
import { PooledCounts } from '../metrics';
import { discardStaleReport } from '../report/staleReport';
import { FUSION_CHANGES_FILE, FusionChangeLog } from '../results/fusionChanges';
import { PerImageTable } from '../results/perImageTable';
import { checkHoldsNoInputs, datasetInputFiles } from '../results/inputsInside';
import { acquireResultsLock, type ResultsLock } from '../results/lock';
import { PredictionCache } from '../results/predictionCache';
import { resultPath, resultsFolderOf } from '../results/resultPath';
import { StapleRuns } from '../results/stapleRuns';
import type { EvaluationSummary, SkippedModel } from '../results/summary';
import { pushAll } from '../util/arrays';
import { mapConcurrent } from '../util/concurrency';
import { HeapGuard } from '../util/heapGuard';
import { assembleSummary, failureFindings, tryWriteReport, writeResults, type EvaluationParts } from './assemble';
import { evaluateCase, type CaseFailure, type CaseOutcome } from './caseEvaluation';
import { fusionMethodName } from './fuseCase';
import { selectCases, type Shard } from './selectCases';
import { shardProvenance, writeShardParts } from './shardParts';
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
  /** The lock of this results folder when the caller holds it already (stress evaluating first). */
  lock?: ResultsLock;
}

export interface EvaluationResult {
  outputDir: string;
  summary: EvaluationSummary;
  /** The per-image results (`table.toRows()` gives row objects, for small runs). */
  table: PerImageTable;
  findings: Finding[];
}

/** Puts a case's rows into the table at its position on the case axis. */
function addRows(table: PerImageTable, index: number, outcome: CaseOutcome): void {
  for (const row of outcome.rows) table.set(index, row.method, row);
}

/**
 * Evaluates every model of the config on a split and writes the results folder. A results folder
 * that cannot be written (read-only, full, a file in the way) ends the run with a WriteError that
 * names the folder and `--output`; a cache that cannot be written only gives a warning.
 */
export async function evaluateExperiment(config: MedsegConfig, dataset: ResolvedDataset, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const destination = resultsDestination(resultsFolderOf(config, options.outputDir));
  return writingInto(destination, () => runEvaluation(config, dataset, options, destination), { probe: false });
}

async function runEvaluation(config: MedsegConfig, dataset: ResolvedDataset, options: EvaluateOptions, destination: Destination): Promise<EvaluationResult> {
  const split = options.split ?? config.evaluation.split;
  const outputDir = resultsFolderOf(config, options.outputDir);
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
  const skipped: SkippedModel[] = [];
  let changes: FusionChangeLog | undefined;
  // Nothing is written into a folder that holds dataset files, nor while another run writes there.
  checkHoldsNoInputs(outputDir, datasetInputFiles(config, dataset));
  // A read-only share or an --output through a file is refused before any inference.
  await probeWritable(destination);
  const lock = await acquireResultsLock(outputDir, options.command ?? `medseg evaluate ${config.file} --split ${split}`, options.lock);
  try {
    for (const model of config.models) {
      options.signal?.throwIfAborted();
      try {
        const source: PredictionSource = model.path ? await OnnxSource.create(model, runtime, cache, options.signal) : new FileSource(model, config.dataset.foreground);
        sources.push(source);
        // The graph-versus-config warnings (an output chosen by shape among several) reach this run's user too.
        for (const w of source.warnings ?? []) findings.push({ code: w.code, severity: 'warning', message: w.message, location: { file: config.file }, configPath: ['models', model.index, 'path'] });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        // A model that cannot run (unreadable file, shape not matching its config, provider
        // missing) is reported; the other models are still evaluated.
        findings.push({ code: err.code, severity: 'error', message: `Model \`${model.name}\` is skipped: ${err.message}`, location: { file: config.file }, configPath: ['models', model.index, 'path'] });
        skipped.push({ name: model.name, code: err.code, reason: err.message });
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

    const caseIds = cases.map((c) => c.id);
    const table = new PerImageTable(methodNames, caseIds);
    const staple = new StapleRuns(members.length, cases.length);
    const changeLog = new FusionChangeLog(resultPath(outputDir, FUSION_CHANGES_FILE), methodNames, members);
    changes = changeLog;
    const failures: { index: number; failure: CaseFailure }[] = [];
    let done = 0;
    const heap = new HeapGuard();
    await mapConcurrent(cases, options.concurrency ?? 2, async (c, index) => {
      options.signal?.throwIfAborted();
      const outcome = await evaluateCase(c, { ...base, pooled, outputDir });
      // The case's results go into fixed places (its index), so the finishing order does not matter.
      addRows(table, index, outcome);
      if (outcome.staple) staple.set(index, outcome.staple);
      for (const failure of outcome.failures) failures.push({ index, failure });
      await changeLog.add(index, c.id, outcome.changes);
      heap.check();
      done++;
      options.onProgress?.({ done, total: cases.length, imageId: c.id, inferences: sources.reduce((a, s) => a + s.inferences, 0) });
    });
    await changeLog.drain();
    // A deployable fusion is chosen on the validation split only, then reported on this split.
    let validation = new PerImageTable(methodNames);
    if (split === 'test' && fusions.length > 0) {
      const valCases = selectCases(dataset.cases, 'val', options.shard);
      const valPooled = new Map(methodNames.map((m) => [m, new PooledCounts()]));
      validation = new PerImageTable(methodNames, valCases.map((c) => c.id));
      await mapConcurrent(valCases, options.concurrency ?? 2, async (c, index) => addRows(validation, index, await evaluateCase(c, { ...base, pooled: valPooled })));
    }
    const parts: EvaluationParts = {
      split,
      shard: options.shard,
      caseIds,
      methods,
      members,
      fusions,
      table,
      validation,
      changes: changeLog,
      staple,
      failures: failures.sort((a, b) => a.index - b.index).map((f) => f.failure),
      skipped,
      pooled,
      models: Object.fromEntries(
        sources.map((s) => [s.model.name, { family: s.model.family, source: s.model.path ?? s.model.predictions, sha256: s.modelHash, ...(s.outputName !== undefined ? { output: s.outputName } : {}), train_size: s.model.trainSize, inferences: s.inferences }]),
      ),
      provider: sources.find((s) => s.provider) ? { used: sources.find((s) => s.provider)!.provider!, attempts: sources.find((s) => s.provider)!.attempts ?? [] } : undefined,
    };
    pushAll(findings, failureFindings(config, parts.failures));
    if (cache.unsaved) findings.push(cacheNotSavedFinding(cache.unsaved, 'prediction cache', cache.dir, config.file));
    const labels = new Map(dataset.cases.map((c) => [c.id, c.labels]));
    const summary = assembleSummary(config, dataset.labelColumns, (id) => labels.get(id) ?? {}, parts);
    await writeResults(outputDir, parts, summary);
    if (options.shard) await writeShardParts(outputDir, parts, shardProvenance(config, dataset, split));
    if (options.report !== false) {
      const report = await tryWriteReport(outputDir, summary, table, { config, cases, command: options.command ?? `medseg evaluate ${config.file} --split ${split}` });
      if (report) findings.push(report);
    }
    return { outputDir, summary, table, findings };
  } catch (err) {
    // Results were being replaced: the old report.html no longer describes this folder.
    if (err instanceof WriteError) throw err.withNote(await discardStaleReport(outputDir));
    throw err;
  } finally {
    await changes?.discard(); // nothing left to remove once writeResults has put the file in place
    await Promise.all(sources.map((s) => s.dispose()));
    lock.release();
  }
}
