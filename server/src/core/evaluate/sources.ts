/**
 * Where a model's prediction for a case comes from: an ONNX model run by the engine (through the
 * content-addressed cache), or a file another tool wrote (`predictions:`). Both give a 16-bit
 * quantised probability map at the reference size.
 */
import { readFile } from 'node:fs/promises';
import type { ModelConfig, RuntimeConfig } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { InputError } from '../findings';
import { readImage, type ForegroundRule, type ImageVolume } from '../io';
// Not the inference index: case workers load this module, and must not load onnxruntime.
import type { HostedModel } from '../inference/hostedModel';
import type { PredictOptions, Probabilities, ReferenceSize, ResolvedModelInput } from '../inference/predict';
import type { ProviderAttempt, ProviderName } from '../inference/providers';
import { WorkerModelRunner } from '../inference/workerRunner';
import type { ModelInfo } from '../onnx';
import { PredictionCache, predictionKey, quantiseProbabilities, type QuantisedPrediction } from '../results/predictionCache';
import { maskFitError } from '../scan/maskFit';
import { predictionFileProbabilities } from './predictionValues';
import { argmaxChannel, regionPrediction } from './regionPrediction';
import { sha256, sha256File } from '../util/hash';

export interface CaseInput {
  case: DatasetCase;
  /** The case's position in its evaluation (windows of cases batch by it); absent elsewhere. */
  index?: number;
  /** Inferences run for this case so far (the sources count them). */
  inferences?: number;
  /** SHA-256 of the image file's bytes. */
  imageHash: string;
  /** Decodes the image on first use (a fully cached case never decodes). */
  image(): Promise<ImageVolume>;
  ref: { width: number; height: number; depth: number };
}

export interface PredictionSource {
  readonly model: ModelConfig;
  readonly provider?: ProviderName;
  readonly attempts?: ProviderAttempt[];
  /** SHA-256 of the model file (ONNX models only), for provenance. */
  readonly modelHash?: string;
  /** The graph output read (ONNX models only): named in the config, the only one, or chosen by shape. */
  readonly outputName?: string;
  /** What the graph-versus-config check warns about (ONNX models only), for the caller to report. */
  readonly warnings?: readonly { code: string; message: string }[];
  /** Inferences run (cache misses) so far. */
  inferences: number;
  predict(input: CaseInput, signal?: AbortSignal): Promise<QuantisedPrediction>;
  /**
   * Case `index` will not call `predict` (it failed before the models ran): a model batching cases
   * together stops waiting for it. Called at most once per case, and never after `predict`.
   */
  settle?(index: number): void;
  dispose(): Promise<void>;
}

/** A model run elsewhere (a worker of its own, or the evaluation's inference host) as OnnxSource sees it. */
export interface ModelClient {
  readonly info: ModelInfo;
  readonly input: ResolvedModelInput;
  readonly provider: ProviderName;
  readonly attempts: ProviderAttempt[];
  readonly outputName: string;
  readonly warnings: { code: string; message: string }[];
  predictProbabilities(image: ImageVolume, refSize?: ReferenceSize, options?: PredictOptions & { caseIndex?: number }): Promise<Probabilities>;
  /** Case `caseIndex` is done with this model (see HostedModel.settle). */
  settle?(caseIndex: number): void;
  dispose?(): Promise<void>;
}

/** A HostedModel as a ModelClient: what the host reported, and its predictions. */
class HostedClient implements ModelClient {
  constructor(private readonly hosted: HostedModel) {}
  get info(): ModelInfo {
    return this.hosted.description.info;
  }
  get input(): ResolvedModelInput {
    return this.hosted.description.input;
  }
  get provider(): ProviderName {
    return this.hosted.description.provider;
  }
  get attempts(): ProviderAttempt[] {
    return this.hosted.description.attempts;
  }
  get outputName(): string {
    return this.hosted.description.outputName;
  }
  get warnings(): { code: string; message: string }[] {
    return this.hosted.description.warnings;
  }
  predictProbabilities(image: ImageVolume, refSize?: ReferenceSize, options?: PredictOptions & { caseIndex?: number }): Promise<Probabilities> {
    return this.hosted.predictProbabilities(image, refSize, options);
  }
  settle(caseIndex: number): void {
    this.hosted.settle(caseIndex);
  }
}

export class OnnxSource implements PredictionSource {
  inferences = 0;
  private constructor(
    readonly model: ModelConfig,
    readonly modelHash: string,
    private readonly runner: ModelClient,
    private readonly cache: PredictionCache,
  ) {}

  get provider(): ProviderName {
    return this.runner.provider;
  }

  get attempts(): ProviderAttempt[] {
    return this.runner.attempts;
  }

  get outputName(): string {
    return this.runner.outputName;
  }

  get warnings(): readonly { code: string; message: string }[] {
    return this.runner.warnings;
  }

  static async create(model: ModelConfig, runtime: RuntimeConfig, cache: PredictionCache, signal?: AbortSignal): Promise<OnnxSource> {
    const modelHash = await sha256File(model.path!);
    const runner = await WorkerModelRunner.create(model, runtime, signal);
    return new OnnxSource(model, modelHash, runner, cache);
  }

  /** A model whose session the evaluation's inference host holds (in a case worker). */
  static hosted(model: ModelConfig, modelHash: string, hosted: HostedModel, cache: PredictionCache): OnnxSource {
    return new OnnxSource(model, modelHash, new HostedClient(hosted), cache);
  }

  private preprocessingKey(): unknown {
    // The output read joins the key only for graphs with several: single-output models keep their
    // cache, and entries a multi-output model left when the first output was always read are not reused.
    const graphOutput = this.runner.info.outputs.length > 1 ? { graphOutput: this.runner.outputName } : {};
    return { input: this.runner.input, output: this.model.output, ...graphOutput };
  }

  async predict(input: CaseInput, signal?: AbortSignal): Promise<QuantisedPrediction> {
    const mapping = this.model.regionMapping;
    if (!mapping) return this.predictStored(input, signal);
    return regionPrediction(await this.predictStored(input, signal), mapping, this.model.path ?? this.model.name, this.model.name);
  }

  /** The cached or fresh prediction: the foreground channel, or every channel (`output.planes: 'all'`) for regions to read from. */
  private async predictStored(input: CaseInput, signal?: AbortSignal): Promise<QuantisedPrediction> {
    try {
      const key = predictionKey({ modelHash: this.modelHash, imageHash: input.imageHash, preprocessing: this.preprocessingKey(), slice: input.case.slice });
      const cached = await this.cache.get(key, input.ref.depth, this.model.output.planes);
      if (cached && cached.width === input.ref.width && cached.height === input.ref.height && cached.depth === input.ref.depth) return cached;
      const image = await input.image();
      const p = await this.runner.predictProbabilities(image, { width: input.ref.width, height: input.ref.height }, { signal, imageName: input.case.id, caseIndex: input.index });
      // Callers check the mask against the image first (caseReference.ts); this keeps a stray caller honest.
      const misfit = maskFitError(input.case, { width: image.width, height: image.height, depth: p.depth }, input.ref);
      if (misfit) throw misfit;
      this.inferences++;
      input.inferences = (input.inferences ?? 0) + 1;
      const planes = p.planes !== undefined ? { planes: p.planes, argmax: argmaxChannel(p.prob, p.planes) } : {};
      return await this.cache.put(key, { width: p.width, height: p.height, depth: p.depth, prob: quantiseProbabilities(p.prob), ...planes });
    } finally {
      // As soon as the case is done with this model (a cache hit, a decode failure): its batch window must not wait for it.
      if (input.index !== undefined) this.runner.settle?.(input.index);
    }
  }

  settle(index: number): void {
    this.runner.settle?.(index);
  }

  async dispose(): Promise<void> {
    await this.runner.dispose?.();
  }
}

/** Predictions made elsewhere: masks, probability maps or label maps, as the model's `prediction_values` says. */
export class FileSource implements PredictionSource {
  inferences = 0;
  constructor(
    readonly model: ModelConfig,
    /** The references' rule: label-map predictions are binarised by it, and it tells label maps from probabilities. */
    private readonly foreground: ForegroundRule,
  ) {}

  async predict(input: CaseInput): Promise<QuantisedPrediction> {
    const file = input.case.predictions[this.model.name];
    if (!file) {
      throw new InputError(input.case.image, `${input.case.id}: no prediction file of model \`${this.model.name}\` (template ${this.model.predictions}).`, 'dataset/missing-prediction');
    }
    const v = await readImage(file, { slice: input.case.slice, paletteIndices: true });
    const { width, height, depth } = input.ref;
    if (v.width !== width || v.height !== height || v.depth !== depth) {
      throw new InputError(file, `prediction is ${v.width}×${v.height}×${v.depth} but the reference mask is ${width}×${height}×${depth}: predictions must have the mask's size.`, 'prediction/size-mismatch');
    }
    // In a region view, label maps are read by the region's rule and a one-region model's masks by their own (evaluate/regionView.ts).
    const rule = this.model.predictionRule ?? this.foreground;
    return { width, height, depth, prob: quantiseProbabilities(predictionFileProbabilities(file, v, this.model.predictionValues ?? 'auto', rule)) };
  }

  async dispose(): Promise<void> {}
}

/** A stored prediction as probabilities under `auto` with no label rule (the editor's preview). */
export function predictionProbabilities(v: ImageVolume): Float32Array {
  return predictionFileProbabilities('<prediction>', v, 'auto', { kind: 'nonzero' });
}

export async function hashFile(path: string): Promise<string> {
  return sha256(await readFile(path));
}
