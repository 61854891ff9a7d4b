/**
 * `medseg explain`: heatmaps for a few images of the evaluation split, per ONNX model, with the
 * numbers that say whether the model looked at the lesion. Writes `heatmaps/<model>/<id>.png`
 * and `explain.json` into the results folder (`<output>/<name>/`). Models are explained one after
 * another (one set of sessions alive at a time); a failing image or model is a finding, and the
 * others go on.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { MedsegConfig, ModelConfig, SplitName } from '../config/types';
import type { DatasetCase, ResolvedDataset } from '../dataset/types';
import { caseFilePath } from '../results/fileNames';
import { checkHoldsNoInputs, datasetInputFiles } from '../results/inputsInside';
import { withResultsLock } from '../results/lock';
import { resultPath, resultsFolderOf } from '../results/resultPath';
import { InputError, type Finding } from '../findings';
import { readImage, readMask, writeFileAtomic } from '../io';
import { resultsDestination, writingInto } from '../io/writeErrors';
import { maskFitError } from '../scan/maskFit';
import { computeConfusion, overlapMetrics } from '../metrics';
import { ENGINE_VERSION } from '../version';
import { fractionsRecord, formatExplainJson, meanFractions, type ExplainedImage, type ExplainReport } from './explainReport';
import { NOT_CUTTABLE_CODE, UNKNOWN_TENSOR_CODE } from './graphSurgery';
import { heatFractions } from './heatFractions';
import { encodeHeatmapPng } from './heatmapPng';
import { AUTO_LAYER_RULE } from './layers';
import { STEP_LADDER } from './gradCam';
import { ModelExplainer, type CamMethod } from './modelExplainer';
import { casesToExplain, IMAGE_RULE, sliceWithMostForeground } from './selectImages';

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

/** Writes heatmaps and explain.json while holding the results folder's lock (see results/lock). */
export async function explainExperiment(config: MedsegConfig, dataset: ResolvedDataset, options: ExplainOptions = {}): Promise<ExplainResult> {
  const outputDir = resultsFolderOf(config, options.outputDir);
  checkHoldsNoInputs(outputDir, datasetInputFiles(config, dataset));
  return writingInto(resultsDestination(outputDir), () => withResultsLock(outputDir, `medseg explain ${config.file}`, () => explainUnderLock(config, dataset, outputDir, options)));
}

async function explainUnderLock(config: MedsegConfig, dataset: ResolvedDataset, outputDir: string, options: ExplainOptions): Promise<ExplainResult> {
  const settings = config.explain.gradcam;
  const method = options.method ?? settings.method;
  const split = options.split ?? config.evaluation.split;
  const runtime = { ...config.runtime, provider: options.provider ?? config.runtime.provider };
  const cases = casesToExplain(dataset.cases, split, options.images ?? settings.images);
  const findings: Finding[] = [];
  const report: ExplainReport = {
    experiment: config.name,
    time: new Date().toISOString(),
    engine_version: ENGINE_VERSION,
    config: config.file,
    split,
    method,
    target: settings.target,
    image_rule: IMAGE_RULE,
    layer_rule: settings.layer === 'auto' ? AUTO_LAYER_RULE : `named in the config: ${settings.layer}`,
    ...(method === 'gradcam' ? { step_ladder: STEP_LADDER } : {}),
    models: {},
    failures: [],
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
  const total = onnxModels.length * cases.length;
  let done = 0;
  for (const model of onnxModels) {
    options.signal?.throwIfAborted();
    let explainer: ModelExplainer;
    try {
      explainer = await ModelExplainer.create(model, await readModelBytes(model), runtime, { layer: settings.layer, signal: options.signal });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      findings.push(modelFinding(config, model, err));
      report.failures.push({ model: model.name, code: err.code, message: err.message });
      done += cases.length;
      continue;
    }
    const images: ExplainedImage[] = [];
    try {
      for (const c of cases) {
        options.signal?.throwIfAborted();
        try {
          const onImage = (d: number, t: number) => options.onProgress?.({ done, total, model: model.name, imageId: c.id, fraction: (done + d / t) / total });
          images.push(await explainCase(explainer, c, config, method, outputDir, options.signal, onImage));
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          report.failures.push({ image_id: c.id, model: model.name, code: err.code, message: err.message });
          findings.push({ code: err.code, severity: 'error', message: `${c.id} (${model.name}): ${err.message}`, location: { file: config.file }, configPath: ['models', model.index] });
        }
        done++;
        options.onProgress?.({ done, total, model: model.name, imageId: c.id, fraction: done / total });
      }
    } finally {
      await explainer.dispose();
    }
    report.models[model.name] = {
      layer: { ...explainer.layer },
      provider: explainer.provider,
      images,
      mean: meanFractions(images),
      seconds_per_image: images.length ? images.reduce((s, i) => s + i.seconds, 0) / images.length : null,
    };
  }
  await writeFileAtomic(resultPath(outputDir, 'explain.json'), formatExplainJson(report));
  return { outputDir, report, findings };
}

async function explainCase(
  explainer: ModelExplainer,
  c: DatasetCase,
  config: MedsegConfig,
  method: CamMethod,
  outputDir: string,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<ExplainedImage> {
  const started = performance.now();
  const ref = await readMask(c.mask!, config.dataset.foreground, { slice: c.slice });
  const image = await readImage(c.image, { slice: c.slice });
  const misfit = maskFitError(c, image, ref);
  if (misfit) throw misfit;
  const slice = ref.depth > 1 ? sliceWithMostForeground(ref.data, ref.width, ref.height, ref.depth) : 0;
  const plane = ref.width * ref.height;
  const reference = ref.data.subarray(slice * plane, (slice + 1) * plane);
  const e = await explainer.explainImage(image, {
    method,
    target: config.explain.gradcam.target,
    slice,
    refSize: { width: ref.width, height: ref.height },
    reference,
    signal,
    onProgress,
  });
  const file = caseFilePath(outputDir, 'heatmaps', explainer.model.name, c.id, '.png');
  const rel = relative(outputDir, file);
  const { png, max } = await encodeHeatmapPng(e.heat, e.width, e.height);
  await writeFileAtomic(file, png);
  const fractions = heatFractions(e.heat, reference, e.prediction);
  return {
    id: c.id,
    split: c.split ?? '',
    ...(ref.depth > 1 ? { slice } : {}),
    heatmap: rel.split('\\').join('/'),
    heat_max: max,
    target_pixels: e.targetPixels,
    dice: overlapMetrics(computeConfusion(reference, e.prediction)).dice,
    ...fractionsRecord(fractions),
    ...(e.epsilon !== undefined ? { epsilon: e.epsilon } : {}),
    ...(e.explainedVariance !== undefined ? { explained_variance: e.explainedVariance } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}
