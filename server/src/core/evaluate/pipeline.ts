/**
 * The evaluation pipeline. The evaluation's thread only schedules: cases go in order to a pool of
 * case workers (casePool.ts) that read, predict, score, fuse and write each case, while the
 * models' sessions run in one inference host thread fed by the workers; outcomes come back in any
 * order and are put at their case's index — the per-image table (typed columns), STAPLE's per-case
 * estimates, the fusion changes spooled to disk in case order — and the workers' pooled sums are
 * added when the pass ends. So the results are byte-identical whatever the number of workers. No
 * case's pixels outlive its turn; the cases in flight are capped. One bad image or one
 * NaN-producing model is a failure of that row, reported and skipped; the run goes on.
 */
import type { MedsegConfig, SplitName } from '../config/types';
import type { DatasetCase, ResolvedDataset } from '../dataset/types';
import type { Finding } from '../findings';
import { fusionMembers } from '../fusion';
import { cacheNotSavedFinding, probeWritable, resultsDestination, writingInto, WriteError, type Destination } from '../io/writeErrors';
import { PooledCounts } from '../metrics';
import { discardStaleReport } from '../report/staleReport';
import { FUSION_CHANGES_FILE, FusionChangeLog } from '../results/fusionChanges';
import { PerImageTable } from '../results/perImageTable';
import { checkHoldsNoInputs, datasetInputFiles } from '../results/inputsInside';
import { acquireResultsLock, type ResultsLock } from '../results/lock';
import { resultPath, resultsFolderOf } from '../results/resultPath';
import { StapleRuns } from '../results/stapleRuns';
import type { EvaluationSummary } from '../results/summary';
import { maxOf, pushAll } from '../util/arrays';
import { HeapGuard } from '../util/heapGuard';
import { assembleSummary, failureFindings, tryWriteReport, writeResults, type EvaluationParts } from './assemble';
import type { CaseFailure, CaseOutcome } from './caseEvaluation';
import { CasePool } from './casePool';
import { predictionCacheDir } from './caseRunner';
import { pooledFromTransfer, reviveRunError, type PhaseSpec, type PhaseTotals } from './caseWorkerProtocol';
import { fusionMethodName } from './fuseCase';
import { poolSize, type PoolSize } from './poolSize';
import { inferencePlace, openRunModels, providerUsed, sourceSpecs, type RunModels } from './runModels';
import { selectCases, type Shard } from './selectCases';
import { shardProvenance, writeShardParts } from './shardParts';

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
  /** Case worker threads (overrides runtime.workers; 0 = auto, `main` = this thread). */
  workers?: number | 'main';
  /** Cases in flight on each worker (default: 2, or 3 when models infer; more for GPU batch windows). */
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
  // Each region is a binary experiment of its own (regionRun.ts): one table and summary per region.
  if (config.dataset.regions) throw new Error('evaluateExperiment: a config with dataset.regions is evaluated by evaluateRegions');
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

  const runtime = { ...config.runtime, provider: options.provider ?? config.runtime.provider };
  let changes: FusionChangeLog | undefined;
  let run: RunModels | undefined;
  let pool: CasePool | undefined;
  // Nothing is written into a folder that holds dataset files, nor while another run writes there.
  checkHoldsNoInputs(outputDir, datasetInputFiles(config, dataset));
  // A read-only share or an --output through a file is refused before any inference.
  await probeWritable(destination);
  const lock = await acquireResultsLock(outputDir, options.command ?? `medseg evaluate ${config.file} --split ${split}`, options.lock);
  try {
    const valCases = split === 'test' && config.evaluation.fusion.length > 0 ? selectCases(dataset.cases, 'val', options.shard) : [];
    run = await openRunModels(config, runtime, [...cases, ...valCases], options.signal);
    pushAll(findings, run.findings);
    const runModels = run.models;
    const running = new Set(runModels.map((m) => m.model.name));
    const members = fusionMembers(config.models.filter((m) => running.has(m.name)), config.evaluation.fuseModels);
    const fusions = members.length >= 2 ? config.evaluation.fusion : [];
    const methods = [
      ...runModels.map((m) => ({ name: m.model.name, kind: 'model' as const, family: m.model.family })),
      ...fusions.map((f) => ({ name: fusionMethodName(f), kind: 'fusion' as const })),
    ];
    const methodNames = methods.map((m) => m.name);
    const pooled = new Map(methodNames.map((m) => [m, new PooledCounts()]));
    const cacheDir = predictionCacheDir(config.runtime.cache);
    const size = poolSize({
      requested: options.workers ?? runtime.workers,
      inference: inferencePlace(runModels),
      threads: runtime.threads,
      cases: Math.max(cases.length, valCases.length),
      window: maxOf(runModels.map((m) => m.onnx?.batching.window ?? 1), 1),
      perWorker: options.concurrency,
      priority: runtime.workerPriority,
    });
    const host = run.host;
    // No thread is started for a run with nothing to evaluate.
    if (cases.length + valCases.length > 0) {
      pool = CasePool.open(size.workers, { sources: sourceSpecs(runModels), metrics, metricSettings: config.evaluation.metricSettings, foreground: config.dataset.foreground, fusions, fusionMembers: members, methods: methodNames, cacheDir }, host ? () => host.connect() : undefined, size.priority);
    }

    const caseIds = cases.map((c) => c.id);
    const table = new PerImageTable(methodNames, caseIds);
    const staple = new StapleRuns(members.length, cases.length);
    const changeLog = new FusionChangeLog(resultPath(outputDir, FUSION_CHANGES_FILE), methodNames, members);
    changes = changeLog;
    const failures: { index: number; failure: CaseFailure }[] = [];
    let done = 0;
    let inferences = 0;
    const heap = new HeapGuard();
    const totals = await runPhase(pool, run, size, { stream: 'evaluate', cases: cases.length, outputDir }, cases, options.signal, (index, outcome) => {
      // The case's results go into fixed places (its index), so the finishing order does not matter.
      addRows(table, index, outcome);
      if (outcome.staple) staple.set(index, outcome.staple);
      for (const failure of outcome.failures) failures.push({ index, failure });
      // Lines are written in case order as the cases before come in; a failed append surfaces in drain().
      changeLog.add(index, cases[index].id, outcome.changes).catch(() => undefined);
      heap.check();
      done++;
      inferences += outcome.inferences ?? 0;
      options.onProgress?.({ done, total: cases.length, imageId: cases[index].id, inferences });
    });
    await changeLog.drain();
    for (const t of totals) {
      for (const [method, p] of Object.entries(t.pooled)) pooled.get(method)?.merge(pooledFromTransfer(p));
      for (const m of runModels) m.inferences += t.inferences[m.model.name] ?? 0;
    }
    // A deployable fusion is chosen on the validation split only, then reported on this split.
    let validation = new PerImageTable(methodNames);
    if (split === 'test' && fusions.length > 0) {
      const table = new PerImageTable(methodNames, valCases.map((c) => c.id));
      // Its pooled sums are not reported: the validation pass only ranks methods by Dice.
      const valTotals = await runPhase(pool, run, size, { stream: 'validation', cases: valCases.length }, valCases, options.signal, (index, outcome) => addRows(table, index, outcome));
      for (const t of valTotals) for (const m of runModels) m.inferences += t.inferences[m.model.name] ?? 0;
      validation = table;
    }
    const unsaved = totals.find((t) => t.cacheUnsaved)?.cacheUnsaved;
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
      skipped: run.skipped,
      pooled,
      models: Object.fromEntries(
        runModels.map((m) => {
          const output = m.onnx?.opened.description.outputName;
          return [m.model.name, { family: m.model.family, source: m.model.path ?? m.model.predictions, sha256: m.onnx?.modelHash, ...(output !== undefined ? { output } : {}), train_size: m.model.trainSize, inferences: m.inferences }];
        }),
      ),
      provider: providerUsed(runModels),
    };
    pushAll(findings, failureFindings(config, parts.failures));
    if (unsaved) findings.push(cacheNotSavedFinding(reviveRunError(unsaved) as WriteError, 'prediction cache', cacheDir, config.file));
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
    pool?.close();
    await run?.host?.dispose();
    lock.release();
  }
}

/**
 * One pass over `cases` through the pool; resolves with the workers' sums. An aborted or failed
 * pass tells the inference host to drop the batch windows its cases left waiting.
 */
async function runPhase(
  pool: CasePool | undefined,
  run: RunModels,
  size: PoolSize,
  phase: PhaseSpec,
  cases: readonly DatasetCase[],
  signal: AbortSignal | undefined,
  onOutcome: (index: number, outcome: CaseOutcome) => void,
): Promise<PhaseTotals[]> {
  if (!pool || cases.length === 0) return [];
  try {
    return await pool.runPhase(phase, cases, { perWorker: size.perWorker, signal, onOutcome });
  } finally {
    run.host?.endStream(phase.stream);
  }
}
