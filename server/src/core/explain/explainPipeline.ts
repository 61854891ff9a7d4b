/**
 * `medseg explain`: heatmaps for images of the evaluation split (a few spread over it, or all of
 * them), per ONNX model, with the numbers that say whether the model looked at the lesion.
 * Writes `heatmaps/<method>/<model>/<id>.png`, the per-image rows `explain/<method>/<model>.csv`
 * and `explain.json` (per model and per family summaries, paired tests; a copy per method at
 * `explain/<method>/explain.json`, so every method run on the folder stays reportable) into the
 * results folder.
 * Models are explained one after another (one set of sessions alive at a time); images stream in
 * the batches the explainer runs together, the next batch decoding while one runs; rows are
 * appended as heatmaps land, so an interrupted run resumes where it stopped and memory does not
 * grow with the number of images. A failing image or model is a finding, and the others go on.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { refuseRegions } from '../config/regions';
import type { MedsegConfig, ModelConfig, SplitName } from '../config/types';
import type { DatasetCase, ResolvedDataset } from '../dataset/types';
import { caseFilePath } from '../results/fileNames';
import { checkHoldsNoInputs, datasetInputFiles } from '../results/inputsInside';
import { withResultsLock } from '../results/lock';
import { resultsFolderOf } from '../results/resultPath';
import { InputError, type Finding } from '../findings';
import { readImage, readMask, writeFileAtomic } from '../io';
import { resultsDestination, writingInto } from '../io/writeErrors';
import { maskFitError } from '../scan/maskFit';
import { computeConfusion, overlapMetrics } from '../metrics';
import { ENGINE_VERSION } from '../version';
import { writeExplainReport } from './explainFile';
import { fractionsRecord, type ExplainedImage, type ExplainedModel, type ExplainReport } from './explainReport';
import { ExplainRowWriter, explainRowFiles, readExplainRows, type ExplainRunFingerprint } from './explainRows';
import { compareFamilies, compareModels, modelColumns, summarizeModel, type ModelColumns } from './explainSummary';
import { NOT_CUTTABLE_CODE, UNKNOWN_TENSOR_CODE } from './graphSurgery';
import { heatFractions } from './heatFractions';
import { encodeHeatmapPng } from './heatmapPng';
import { AUTO_LAYER_RULE } from './layers';
import { STEP_LADDER } from './gradCam';
import { isGradientCam, isInputGradient } from './methods';
import { ModelExplainer, type CamMethod, type ExplainItem, type ImageExplanation } from './modelExplainer';
import { casesToExplain, IMAGE_RULE, sliceWithMostForeground } from './selectImages';
import { shardOf, type Shard } from '../evaluate/selectCases';

export interface ExplainProgress {
  /** Images finished (all models together). */
  done: number;
  total: number;
  model?: string;
  imageId?: string;
  /** Overall progress in [0, 1], including the part of the image in work (Grad-CAM on a large model takes seconds). */
  fraction: number;
}

export interface ExplainOptions {
  method?: CamMethod;
  /** Images per model, or every image of the split (default: explain.gradcam.images). */
  images?: number | 'all';
  split?: SplitName | 'all';
  /**
   * Explain only the images of this shard (`--shard I/N`, the same images as `evaluate --shard`),
   * for `medseg merge` to join; every image of the split must be asked for (`images: all`).
   */
  shard?: Shard;
  /** Results folder; default `<config.output>/<config.name>`. */
  outputDir?: string;
  provider?: MedsegConfig['runtime']['provider'];
  signal?: AbortSignal;
  onProgress?: (p: ExplainProgress) => void;
}

export interface ExplainResult {
  outputDir: string;
  report: ExplainReport;
  findings: Finding[];
}

function modelFinding(config: MedsegConfig, model: ModelConfig, err: InputError): Finding {
  const layerProblem = err.code === UNKNOWN_TENSOR_CODE || err.code === NOT_CUTTABLE_CODE;
  return {
    code: err.code,
    severity: 'error',
    message: `Model \`${model.name}\`: no heatmaps. ${err.message}`,
    location: { file: config.file },
    configPath: layerProblem ? ['explain', 'gradcam', 'layer'] : ['models', model.index],
  };
}

async function readModelBytes(model: ModelConfig): Promise<Uint8Array> {
  try {
    return await readFile(model.path!);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(model.path!, `${model.path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}; check the model's \`path\`.`, 'model/missing-file');
  }
}

/** Writes heatmaps, rows and explain.json while holding the results folder's lock (see results/lock). */
export async function explainExperiment(config: MedsegConfig, dataset: ResolvedDataset, options: ExplainOptions = {}): Promise<ExplainResult> {
  refuseRegions(config, 'medseg explain', 'explain a binary config of one region (its labels as `foreground`, the model\'s channel as `output.channel`).');
  const outputDir = resultsFolderOf(config, options.outputDir);
  checkHoldsNoInputs(outputDir, datasetInputFiles(config, dataset));
  return writingInto(resultsDestination(outputDir), () => withResultsLock(outputDir, `medseg explain ${config.file}`, () => explainUnderLock(config, dataset, outputDir, options)));
}

/** A case read for explaining: the image, the slice shown, and the reference on that slice. */
interface LoadedCase {
  case: DatasetCase;
  item: ExplainItem;
  slice?: number;
  reference: Uint8Array;
}

async function loadCase(c: DatasetCase, config: MedsegConfig): Promise<LoadedCase> {
  const ref = await readMask(c.mask!, config.dataset.foreground, { slice: c.slice });
  const image = await readImage(c.image, { slice: c.slice });
  const misfit = maskFitError(c, image, ref);
  if (misfit) throw misfit;
  const slice = ref.depth > 1 ? sliceWithMostForeground(ref.data, ref.width, ref.height, ref.depth) : 0;
  const plane = ref.width * ref.height;
  const reference = ref.data.subarray(slice * plane, (slice + 1) * plane);
  return { case: c, item: { image, slice, refSize: { width: ref.width, height: ref.height }, reference }, slice: ref.depth > 1 ? slice : undefined, reference };
}

/** Reads a batch's cases concurrently (decoding runs on libuv's threads while a model run holds the main thread). */
function loadBatch(cases: readonly DatasetCase[], config: MedsegConfig): Promise<PromiseSettledResult<LoadedCase>[]> {
  return Promise.allSettled(cases.map((c) => loadCase(c, config)));
}

function failureOf(err: unknown): InputError {
  if (err instanceof InputError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new InputError(e.path ?? '', `${e.path} does not exist.`, 'io/not-found');
  throw err;
}

interface ModelRun {
  model: ModelConfig;
  explainer: ModelExplainer;
  gradient: ExplainedModel['gradient'];
  gradientNote?: string;
}

async function modelSha256(bytes: Uint8Array): Promise<string> {
  return createHash('sha256').update(bytes).digest('hex');
}

async function explainUnderLock(config: MedsegConfig, dataset: ResolvedDataset, outputDir: string, options: ExplainOptions): Promise<ExplainResult> {
  const settings = config.explain.gradcam;
  const method = options.method ?? settings.method;
  const split = options.split ?? config.evaluation.split;
  const target = settings.target;
  const runtime = { ...config.runtime, provider: options.provider ?? config.runtime.provider };
  const cases = shardCases(casesToExplain(dataset.cases, split, options.images ?? settings.images), options.images ?? settings.images, options.shard, config);
  const findings: Finding[] = [];
  const report: ExplainReport = {
    experiment: config.name,
    time: new Date().toISOString(),
    engine_version: ENGINE_VERSION,
    config: config.file,
    split,
    method,
    target,
    image_rule: (options.images ?? settings.images) === 'all' ? 'every case of the split with a reference mask' : IMAGE_RULE,
    layer_rule: isInputGradient(method) ? 'the model input (gradients with respect to the image)' : settings.layer === 'auto' ? AUTO_LAYER_RULE : `named in the config: ${settings.layer}`,
    ...(method === 'gradcam' ? { step_ladder: STEP_LADDER } : {}),
    models: {},
    comparisons: [],
    families: [],
    failures: [],
    ...(options.shard ? { shard: options.shard } : {}),
  };
  if (cases.length === 0) {
    findings.push({
      code: 'explain/no-cases',
      severity: 'error',
      message: `No case with a reference mask in split \`${split}\`: nothing to explain.`,
      location: { file: config.file },
      configPath: ['evaluation', 'split'],
    });
  }
  const onnxModels = config.models.filter((m) => m.path);
  for (const m of config.models.filter((x) => !x.path)) {
    findings.push({
      code: 'explain/no-onnx',
      severity: 'info',
      message: `Model \`${m.name}\` has no heatmaps: its predictions come from files, and a CAM needs the network.`,
      location: { file: config.file },
      configPath: ['models', m.index],
    });
  }
  const ids = cases.map((c) => c.id);
  const columns: ModelColumns[] = [];
  const total = onnxModels.length * cases.length;
  let done = 0;
  for (const model of onnxModels) {
    options.signal?.throwIfAborted();
    let run: ModelRun;
    let sha256: string;
    try {
      const bytes = await readModelBytes(model);
      sha256 = await modelSha256(bytes);
      run = await openModel(model, bytes, runtime, config, method, options.signal);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      findings.push(modelFinding(config, model, err));
      report.failures.push({ model: model.name, code: err.code, message: err.message });
      done += cases.length;
      continue;
    }
    const files = explainRowFiles(outputDir, method, model.name);
    let resumed = 0;
    try {
      const fingerprint: ExplainRunFingerprint = {
        engine_version: ENGINE_VERSION,
        method,
        model: model.name,
        model_sha256: sha256,
        layer: isInputGradient(method) ? '(input)' : run.explainer.layer.name,
        target,
        gradients: settings.gradients,
        split,
        ...(isInputGradient(method) ? { settings: { ...config.explain.saliency } } : {}),
      };
      const { writer, done: already } = await ExplainRowWriter.open(files, fingerprint);
      const remaining = cases.filter((c) => !already.has(c.id));
      resumed = cases.length - remaining.length;
      done += resumed;
      const batch = await run.explainer.preferredBatch({ method, target, gradients: settings.gradients });
      let next = remaining.length > 0 ? loadBatch(remaining.slice(0, batch), config) : undefined;
      for (let k = 0; k < remaining.length; k += batch) {
        options.signal?.throwIfAborted();
        const chunk = remaining.slice(k, k + batch);
        const loaded = await next!;
        next = k + batch < remaining.length ? loadBatch(remaining.slice(k + batch, k + 2 * batch), config) : undefined;
        next?.catch(() => undefined);
        const ready: LoadedCase[] = [];
        loaded.forEach((r, i) => {
          if (r.status === 'fulfilled') ready.push(r.value);
          else recordFailure(report, findings, config, model, chunk[i], failureOf(r.reason));
        });
        const rows = await explainChunk(run, ready, config, method, outputDir, options, (d, t) =>
          options.onProgress?.({ done, total, model: model.name, imageId: chunk[0]?.id, fraction: (done + (d / t) * chunk.length) / Math.max(1, total) }),
        ).catch((err) => {
          // A model run that fails for the whole batch fails each of its images.
          const failure = failureOf(err);
          for (const l of ready) recordFailure(report, findings, config, model, l.case, failure);
          return [] as ExplainedImage[];
        });
        await writer.append(rows);
        done += chunk.length;
        options.onProgress?.({ done, total, model: model.name, imageId: chunk[chunk.length - 1]?.id, fraction: done / Math.max(1, total) });
      }
    } finally {
      await run.explainer.dispose();
    }
    const rows = readExplainRows(files.rows);
    const c = modelColumns(model.name, model.family, ids, await collect(rows));
    columns.push(c);
    const { summary, images, seconds_per_image } = summarizeModel(c, { bootstrap: config.evaluation.bootstrap, seed: config.evaluation.seed });
    report.models[model.name] = {
      family: model.family,
      layer: { ...run.explainer.layer },
      provider: run.explainer.provider,
      gradient: run.gradient,
      ...(run.gradientNote ? { gradient_note: run.gradientNote } : {}),
      images,
      resumed,
      rows: relative(outputDir, files.rows).split('\\').join('/'),
      heatmaps: `heatmaps/${method}/${model.name}/`,
      summary,
      seconds_per_image,
    };
  }
  report.comparisons = compareModels(columns, config.evaluation.compare.alpha);
  report.families = compareFamilies(columns, config.evaluation.compare.alpha);
  await writeExplainReport(outputDir, report);
  return { outputDir, report, findings };
}

/** A shard's part of the cases: only of all of them, or the shards' images together would not be those of one run. */
function shardCases(cases: DatasetCase[], images: number | 'all', shard: Shard | undefined, config: MedsegConfig): DatasetCase[] {
  if (!shard) return cases;
  if (images !== 'all') throw new InputError(config.file, `Sharded explanations cover every image of the split, each in its shard: run \`medseg explain --shard ${shard.index + 1}/${shard.count} --images all\` (explain.gradcam.images is ${images}).`, 'explain/shard-needs-all');
  return cases.filter((c) => shard.count <= 1 || shardOf(c.id, shard.count) === shard.index);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function recordFailure(report: ExplainReport, findings: Finding[], config: MedsegConfig, model: ModelConfig, c: DatasetCase, err: InputError): void {
  report.failures.push({ image_id: c.id, model: model.name, code: err.code, message: err.message });
  findings.push({ code: err.code, severity: 'error', message: `${c.id} (${model.name}): ${err.message}`, location: { file: config.file }, configPath: ['models', model.index] });
}

/**
 * The explainer for a model, and how its gradient methods will get their gradients: a gradient
 * CAM on a graph that cannot be differentiated is Grad-CAM by finite differences (said in
 * explain.json), or, for the other gradient methods, a finding and no heatmaps.
 */
async function openModel(model: ModelConfig, bytes: Uint8Array, runtime: MedsegConfig['runtime'], config: MedsegConfig, method: CamMethod, signal?: AbortSignal): Promise<ModelRun> {
  const settings = config.explain.gradcam;
  const explainer = await ModelExplainer.create(model, bytes, runtime, { layer: settings.layer, signal });
  if (!isGradientCam(method) && !isInputGradient(method)) return { model, explainer, gradient: 'none' };
  if (isInputGradient(method)) return { model, explainer, gradient: 'exact' };
  if (settings.gradients === 'differences') return { model, explainer, gradient: 'differences', gradientNote: 'finite differences asked for (explain.gradcam.gradients: differences)' };
  const problem = await explainer.gradientProblem(settings.target);
  if (problem === undefined) return { model, explainer, gradient: 'exact' };
  if (method === 'gradcam' && settings.gradients === 'auto') return { model, explainer, gradient: 'differences', gradientNote: `the graph cannot be differentiated (${problem}); Grad-CAM by finite differences through the model's tail` };
  await explainer.dispose();
  throw new InputError(model.path ?? model.name, `Model \`${model.name}\`: ${method} needs exact gradients, and the graph cannot be differentiated: ${problem}.`, 'explain/no-gradient');
}

/** Explains loaded cases together, writes their heatmaps, and returns their rows. */
async function explainChunk(run: ModelRun, loaded: readonly LoadedCase[], config: MedsegConfig, method: CamMethod, outputDir: string, options: ExplainOptions, onProgress: (done: number, total: number) => void): Promise<ExplainedImage[]> {
  if (loaded.length === 0) return [];
  const started = performance.now();
  const settings = config.explain.gradcam;
  const explained = await run.explainer.explainBatch(loaded.map((l) => l.item), {
    method,
    target: settings.target,
    gradients: run.gradient === 'differences' ? 'differences' : settings.gradients === 'exact' ? 'exact' : 'auto',
    saliency: config.explain.saliency,
    signal: options.signal,
    onProgress,
  });
  const seconds = (performance.now() - started) / 1000 / loaded.length;
  return Promise.all(loaded.map((l, i) => heatmapRow(run.model, l, explained[i], method, outputDir, seconds)));
}

async function heatmapRow(model: ModelConfig, l: LoadedCase, e: ImageExplanation, method: CamMethod, outputDir: string, seconds: number): Promise<ExplainedImage> {
  const file = caseFilePath(outputDir, `heatmaps/${method}`, model.name, l.case.id, '.png');
  const { png, max } = await encodeHeatmapPng(e.heat, e.width, e.height);
  await writeFileAtomic(file, png);
  return {
    id: l.case.id,
    split: l.case.split ?? '',
    ...(l.slice !== undefined ? { slice: l.slice } : {}),
    heatmap: relative(outputDir, file).split('\\').join('/'),
    heat_max: max,
    target_pixels: e.targetPixels,
    dice: overlapMetrics(computeConfusion(l.reference, e.prediction)).dice,
    ...fractionsRecord(heatFractions(e.heat, l.reference, e.prediction)),
    ...(e.gradient ? { gradient: e.gradient } : {}),
    ...(e.epsilon !== undefined ? { epsilon: e.epsilon } : {}),
    ...(e.relativeStep !== undefined ? { relative_step: e.relativeStep } : {}),
    ...(e.explainedVariance !== undefined ? { explained_variance: e.explainedVariance } : {}),
    seconds,
  };
}
