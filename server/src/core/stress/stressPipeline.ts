/**
 * `medseg stress`: the label-mix stress test over the split's per-image results, then the image
 * perturbation stress test with fresh (cached) inference, written to `<output>/<name>/stress.json`.
 */
import { join } from 'node:path';
import { refuseRegions } from '../config/regions';
import type { MedsegConfig, SplitName } from '../config/types';
import type { DatasetCase, ResolvedDataset } from '../dataset/types';
import { selectCases } from '../evaluate';
import type { Shard } from '../evaluate/selectCases';
import { fusionMethodName } from '../evaluate/fuseCase';
import { OnnxSource, type PredictionSource } from '../evaluate/sources';
import { InputError, type Finding } from '../findings';
import { fusionMembers } from '../fusion';
import { writeFileAtomic } from '../io';
import { cacheNotSavedFinding, resultsDestination, writingInto } from '../io/writeErrors';
import type { PerImageRow } from '../results/perImage';
import { checkHoldsNoInputs, datasetInputFiles } from '../results/inputsInside';
import { withResultsLock, type ResultsLock } from '../results/lock';
import { PredictionCache } from '../results/predictionCache';
import { resultPath, resultsFolderOf } from '../results/resultPath';
import { formatResultsJson } from '../results/summary';
import { pushAll } from '../util/arrays';
import { ENGINE_VERSION } from '../version';
import { evaluatedRows } from './evaluatedRows';
import { LABEL_MIX_KINDS, type LabelMixKind } from './labelMixes';
import { runLabelMixStress, type LabelMixRequest } from './labelMixStress';
import { perturbationCurves, perturbCases, type PerturbedCases } from './perturbationStress';
import { isPerturbationKind, type PerturbationKind } from './perturbations';
import { STRESS_FILE } from './stressFile';
import { writeStressParts } from './stressShardParts';
import type { StressReport } from './types';

export { STRESS_FILE };
const UPPER_BOUND = fusionMethodName('best');

export interface StressProgress {
  stage: 'evaluate' | 'label-mixes' | 'perturbations';
  done: number;
  total: number;
  imageId?: string;
}

export interface StressOptions {
  split?: SplitName | 'all';
  /** Results folder; default `<config.output>/<config.name>`. */
  outputDir?: string;
  provider?: MedsegConfig['runtime']['provider'];
  /** Stress this label column with every mix kind, instead of the config's `label_mixes`. */
  label?: string;
  repeats?: number;
  /** Perturbations to run instead of the config's (empty: none). */
  perturbations?: readonly string[];
  /**
   * Only the perturbations of this shard's images (`--shard I/N`, the images of `evaluate
   * --shard I/N`), kept for `medseg merge`, which runs the label mixes over the merged rows.
   */
  shard?: Shard;
  /** Per-image rows to resample (skips reading or computing them). */
  rows?: readonly PerImageRow[];
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: StressProgress) => void;
  command?: string;
}

export interface StressRun {
  outputDir: string;
  report: StressReport;
  findings: Finding[];
}

/** The mixes to run: `--label` (all kinds), else the config's, else every kind on the first label column. */
export function labelMixRequests(config: MedsegConfig, labelColumns: readonly string[], label?: string): { mixes: LabelMixRequest[]; note?: string } {
  if (label !== undefined) return { mixes: LABEL_MIX_KINDS.map((kind) => ({ column: label, kind })) };
  const configured = config.stress.labelMixes.flatMap((entry) => Object.entries(entry).map(([column, kind]) => ({ column, kind: kind as LabelMixKind })));
  if (configured.length > 0) return { mixes: configured };
  if (labelColumns.length === 0) return { mixes: [], note: 'No label mixes: the dataset has no label column (dataset.label_columns).' };
  return {
    mixes: LABEL_MIX_KINDS.map((kind) => ({ column: labelColumns[0], kind })),
    note: `stress.label_mixes is not set: every mix of the first label column, ${labelColumns[0]}, is run.`,
  };
}

function methodOrder(config: MedsegConfig, rows: readonly PerImageRow[], fromResults: readonly string[]): string[] {
  const present = new Set(rows.map((r) => r.method));
  const order = [...fromResults, ...config.models.map((m) => m.name), ...config.evaluation.fusion.map(fusionMethodName), ...present];
  return [...new Set(order)].filter((m) => present.has(m));
}

/** Runs the stress tests while holding the results folder's lock (see results/lock). */
export async function runStress(config: MedsegConfig, dataset: ResolvedDataset, options: StressOptions = {}): Promise<StressRun> {
  refuseRegions(config, 'stress tests from the editor', 'run `medseg stress <config>` in a terminal, which tests each region in its own folder.');
  const outputDir = resultsFolderOf(config, options.outputDir);
  checkHoldsNoInputs(outputDir, datasetInputFiles(config, dataset));
  // A results folder that cannot be written is refused before any inference, with `--output` as the fix.
  return writingInto(resultsDestination(outputDir), () => withResultsLock(outputDir, `medseg stress ${config.file}`, (lock) => stressUnderLock(config, dataset, outputDir, lock, options)));
}

type At = (configPath: (string | number)[], severity: Finding['severity'], code: string, message: string) => void;

function reporter(config: MedsegConfig, findings: Finding[]): At {
  return (configPath, severity, code, message) => findings.push({ code, severity, message, location: { file: config.file }, configPath });
}

async function stressUnderLock(config: MedsegConfig, dataset: ResolvedDataset, outputDir: string, lock: ResultsLock, options: StressOptions): Promise<StressRun> {
  const split = options.split ?? config.evaluation.split;
  const repeats = options.repeats ?? config.stress.repeats;
  const findings: Finding[] = [];
  const notes: string[] = [];
  const at = reporter(config, findings);
  if (options.shard) return stressShard(config, dataset, outputDir, options.shard, options, findings, notes);

  // 1. Label mixes over the split's per-image results.
  let rows: readonly PerImageRow[];
  let rowsFrom: StressReport['rows_from'] = 'given';
  let resultMethods: string[] = [];
  if (options.rows) rows = options.rows;
  else {
    const got = await evaluatedRows(config, dataset, {
      split,
      outputDir,
      provider: options.provider,
      signal: options.signal,
      command: options.command,
      lock,
      onProgress: (p) => options.onProgress?.({ stage: 'evaluate', done: p.done, total: p.total, imageId: p.imageId }),
    });
    rows = got.rows;
    rowsFrom = got.from;
    resultMethods = got.methods;
    pushAll(findings, got.findings);
  }
  const { methods, labelMixes } = labelMixPart(config, dataset, split, rows, resultMethods, { label: options.label, repeats, signal: options.signal, onProgress: options.onProgress }, at, notes);

  // 2. Image perturbations with fresh inference for every model the engine can run.
  const part = await perturbationPart(config, selectCases(dataset.cases, split), options, at, notes, findings);
  const perturbations = part && perturbationSection(config, part, part.perturbed.rows);

  const report = stressReport(config, { split, repeats, rowsFrom, methods, labelMixes, perturbations, notes });
  await writeFileAtomic(resultPath(outputDir, STRESS_FILE), formatStressJson(report));
  return { outputDir, report, findings };
}

export interface LabelMixOptions {
  label?: string;
  repeats: number;
  signal?: AbortSignal;
  onProgress?: (p: StressProgress) => void;
}

/** The label-mix stress test over per-image rows of the split (a run's, or the merge of shards'). */
export function labelMixPart(
  config: MedsegConfig,
  dataset: Pick<ResolvedDataset, 'cases' | 'labelColumns'>,
  split: SplitName | 'all',
  allRows: readonly PerImageRow[],
  resultMethods: readonly string[],
  options: LabelMixOptions,
  at: At,
  notes: string[],
): { methods: string[]; labelMixes?: StressReport['label_mixes'] } {
  const rows = allRows.filter((r) => split === 'all' || r.split === split);
  const methods = methodOrder(config, rows, resultMethods);
  const labels = new Map(dataset.cases.map((c) => [c.id, c.labels]));
  const { mixes, note } = labelMixRequests(config, dataset.labelColumns, options.label);
  if (note) notes.push(note);
  const valid = mixes.filter((m) => {
    if (dataset.labelColumns.includes(m.column)) return true;
    at(['stress', 'label_mixes'], 'warning', 'stress/unknown-label-column', `Label mix on \`${m.column}\` skipped: it is not a label column of the dataset (${dataset.labelColumns.join(', ') || 'none'}).`);
    return false;
  });
  if (valid.length === 0 || rows.length === 0) return { methods };
  options.onProgress?.({ stage: 'label-mixes', done: 0, total: 1 });
  const run = runLabelMixStress(rows, methods, (id) => labels.get(id) ?? {}, {
    mixes: valid,
    repeats: options.repeats,
    seed: config.stress.seed,
    bootstrap: config.evaluation.bootstrap,
    bootstrapSeed: config.evaluation.seed,
    minPerLabel: config.splits?.minPerLabel ?? 5,
    unranked: [UPPER_BOUND],
    signal: options.signal,
  });
  pushAll(notes, run.notes);
  options.onProgress?.({ stage: 'label-mixes', done: 1, total: 1 });
  return { methods, labelMixes: run.section };
}

/** What the perturbation stress test measured on some cases, before its curves are drawn. */
export interface PerturbationPart {
  kinds: PerturbationKind[];
  perturbed: PerturbedCases;
  ids: string[];
  skipped: { model: string; reason: string }[];
  inferences: number;
}

/** The requested perturbations run on `cases` with every model the engine can run (undefined when none is asked for). */
async function perturbationPart(config: MedsegConfig, cases: DatasetCase[], options: StressOptions, at: At, notes: string[], findings: Finding[]): Promise<PerturbationPart | undefined> {
  const requested = options.perturbations ?? config.stress.perturbations;
  const kinds = [...new Set(requested)].filter((k): k is PerturbationKind => {
    if (isPerturbationKind(k)) return true;
    at(['stress', 'perturbations'], 'warning', 'stress/unknown-perturbation', `Perturbation \`${k}\` is unknown and skipped.`);
    return false;
  });
  if (kinds.length === 0) return undefined;
  const cache = new PredictionCache(join(config.runtime.cache, 'predictions'));
  const runtime = { ...config.runtime, provider: options.provider ?? config.runtime.provider };
  const sources: PredictionSource[] = [];
  const skipped: { model: string; reason: string }[] = [];
  try {
    for (const model of config.models) {
      options.signal?.throwIfAborted();
      if (!model.path) {
        skipped.push({ model: model.name, reason: 'its predictions exist only for the original images (predictions:), so it cannot see a perturbed one' });
        continue;
      }
      try {
        const source = await OnnxSource.create(model, runtime, cache, options.signal);
        sources.push(source);
        for (const w of source.warnings) at(['models', model.index, 'path'], 'warning', w.code, w.message);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        skipped.push({ model: model.name, reason: err.message });
        at(['models', model.index, 'path'], 'error', err.code, `Model \`${model.name}\` is skipped: ${err.message}`);
      }
    }
    const running = new Set(sources.map((s) => s.model.name));
    const members = fusionMembers(config.models, config.evaluation.fuseModels);
    // A fusion is the evaluation's fusion only with all its members; without one it would be another method.
    const fusionsRun = members.length >= 2 && members.every((m) => running.has(m)) ? config.evaluation.fusion : [];
    if (config.evaluation.fusion.length > 0 && fusionsRun.length === 0 && members.length >= 2) {
      notes.push(`Fusions are not perturbed: ${members.filter((m) => !running.has(m)).join(', ')} cannot be re-run on perturbed images.`);
    }
    for (const s of skipped) notes.push(`Perturbations skip model ${s.model}: ${s.reason}.`);
    let part: PerturbationPart | undefined;
    if (sources.length > 0) {
      const perturbed = await perturbCases({
        cases,
        kinds,
        sources,
        fusions: fusionsRun,
        fusionMembers: members,
        foreground: config.dataset.foreground,
        seed: config.stress.seed,
        dropThreshold: config.stress.dropThreshold,
        bootstrap: config.evaluation.bootstrap,
        bootstrapSeed: config.evaluation.seed,
        unranked: [UPPER_BOUND],
        concurrency: options.concurrency,
        signal: options.signal,
        onProgress: (done, total, imageId) => options.onProgress?.({ stage: 'perturbations', done, total, imageId }),
      });
      for (const f of perturbed.failures) at(['dataset'], 'error', f.code, `${f.imageId}: ${f.message}`);
      part = { kinds, perturbed, ids: cases.map((c) => c.id), skipped, inferences: sources.reduce((a, s) => a + s.inferences, 0) };
    }
    if (cache.unsaved) findings.push(cacheNotSavedFinding(cache.unsaved, 'prediction cache', cache.dir, config.file));
    return part;
  } finally {
    await Promise.all(sources.map((s) => s.dispose()));
  }
}

/** stress.json's perturbation section from the packed rows of the cases, in case order. */
export function perturbationSection(config: MedsegConfig, part: Pick<PerturbationPart, 'kinds' | 'skipped' | 'inferences'> & { perturbed: Pick<PerturbedCases, 'methods'> }, rows: readonly (Float64Array | undefined)[]): StressReport['perturbations'] {
  const evaluated = rows.filter((x): x is Float64Array => x !== undefined);
  const curves = { kinds: part.kinds, dropThreshold: config.stress.dropThreshold, bootstrap: config.evaluation.bootstrap, bootstrapSeed: config.evaluation.seed, unranked: [UPPER_BOUND] };
  return { images: evaluated.length, methods: part.perturbed.methods, skipped: part.skipped, inferences: part.inferences, kinds: perturbationCurves(curves, part.perturbed.methods, evaluated) };
}

export function stressReport(
  config: MedsegConfig,
  r: { split: string; repeats: number; rowsFrom: StressReport['rows_from']; methods: string[]; labelMixes?: StressReport['label_mixes']; perturbations?: StressReport['perturbations']; notes: string[] },
): StressReport {
  return {
    experiment: config.name,
    time: new Date().toISOString(),
    engine_version: ENGINE_VERSION,
    config: config.file,
    split: r.split,
    seed: config.stress.seed,
    repeats: r.repeats,
    drop_threshold: config.stress.dropThreshold,
    rows_from: r.rowsFrom,
    methods: r.methods,
    upper_bound: r.methods.includes(UPPER_BOUND) ? UPPER_BOUND : undefined,
    label_mixes: r.labelMixes,
    perturbations: r.perturbations,
    notes: r.notes,
  };
}

/**
 * One shard's stress test (`--shard I/N`): the perturbations of its images only, kept for the
 * merge (shard/stress.json.gz) and summarised in its own stress.json; the label mixes need the
 * whole split's rows and run at the merge.
 */
async function stressShard(config: MedsegConfig, dataset: ResolvedDataset, outputDir: string, shard: Shard, options: StressOptions, findings: Finding[], notes: string[]): Promise<StressRun> {
  const split = options.split ?? config.evaluation.split;
  const repeats = options.repeats ?? config.stress.repeats;
  const cases = selectCases(dataset.cases, split, shard);
  const part = await perturbationPart(config, cases, options, reporter(config, findings), notes, findings);
  const requested = [...new Set(options.perturbations ?? config.stress.perturbations)].filter(isPerturbationKind);
  await writeStressParts(outputDir, {
    version: 1,
    shard,
    split,
    ...(options.label !== undefined ? { label: options.label } : {}),
    repeats,
    kinds: part?.kinds ?? requested,
    methods: part?.perturbed.methods ?? [],
    skipped: part?.skipped ?? [],
    inferences: part?.inferences ?? 0,
    notes,
    ids: part?.ids ?? [],
    rows: part ? part.perturbed.rows.map((r) => (r ? Array.from(r) : null)) : [],
    failures: part?.perturbed.failures ?? [],
  });
  const methods = part?.perturbed.methods ?? [];
  const shardNotes = [...notes, `Shard ${shard.index + 1}/${shard.count} of the split: perturbations of its ${cases.length} images; \`medseg merge\` runs the label mixes over all of them.`];
  const report = { ...stressReport(config, { split, repeats, rowsFrom: 'given', methods, perturbations: part && perturbationSection(config, part, part.perturbed.rows), notes: shardNotes }), shard };
  await writeFileAtomic(resultPath(outputDir, STRESS_FILE), formatStressJson(report));
  return { outputDir, report, findings };
}

/** JSON with undefined dropped and non-finite numbers as null (as summary.json). */
export function formatStressJson(report: StressReport): string {
  return formatResultsJson(report);
}
