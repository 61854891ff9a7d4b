/**
 * One inference session per model, created once and reused for every image. `session.run()`
 * blocks the event loop while it computes: callers on a thread that must stay responsive (the
 * language server) use `WorkerModelRunner`, which runs this class in a worker thread.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { ModelConfig, RuntimeConfig } from '../config/types';
import { InputError } from '../findings';
import type { ImageVolume } from '../io/types';
import { parseModelInfo, type ModelInfo } from '../onnx';
import { checkModelAgainstConfig, resolveGraphInput, resolveGraphOutput } from './checkModel';
import { scoresToProbability, type ScoreSource } from './postprocess';
import {
  predictImage,
  throwIfAborted,
  type PredictOptions,
  type Prediction,
  type PredictionContext,
  type ReferenceSize,
  type ResolvedModelInput,
} from './predict';
import { selectProvider, type ProviderAttempt, type ProviderName } from './providers';

export type RunnerSettings = Pick<RuntimeConfig, 'provider' | 'batch' | 'threads'>;

/** What a runner knows once its session is up (also what the worker reports back). */
export interface RunnerDescription {
  info: ModelInfo;
  input: ResolvedModelInput;
  provider: ProviderName;
  attempts: ProviderAttempt[];
  /** Inputs per `session.run`: the graph's fixed batch, else runtime.batch. */
  batchSize: number;
  /** The graph's fixed batch size, when its batch axis is not dynamic. */
  fixedBatch?: number;
  /** The graph output read as the score map (named in the config, the only one, or chosen by shape). */
  outputName: string;
  /** Warnings of the graph-versus-config check (an output chosen by shape, a fixed batch), for the caller to report. */
  warnings: { code: string; message: string }[];
}

function modelFileOf(model: ModelConfig): string {
  return model.path ?? `model ${model.name}`;
}

/** Checks the graph against the config and resolves the input; throws the config errors as one InputError. */
export interface PreparedModel {
  info: ModelInfo;
  input: ResolvedModelInput;
  batchSize: number;
  fixedBatch?: number;
  outputName: string;
  warnings: { code: string; message: string }[];
}

export function prepareModel(model: ModelConfig, bytes: Uint8Array, settings: RunnerSettings): PreparedModel {
  const file = modelFileOf(model);
  const info = parseModelInfo(bytes, file);
  const findings = checkModelAgainstConfig(info, model);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new InputError(file, errors.map((f) => f.message).join('\n'), errors[0].code);
  }
  const graph = resolveGraphInput(info, model);
  if (!graph.size) {
    throw new InputError(file, `Model \`${model.name}\`: its input size is dynamic; add \`size: [H, W]\` to its \`input\`.`, 'model/size-unknown');
  }
  const input: ResolvedModelInput = { size: graph.size, layout: graph.layout, channels: model.input.channels, normalize: model.input.normalize };
  const batchSize = graph.fixedBatch ?? Math.max(1, settings.batch);
  // The check above has refused every graph whose output cannot be chosen, so there is one.
  const outputName = resolveGraphOutput(info, model)!;
  const warnings = findings.filter((f) => f.severity === 'warning').map((f) => ({ code: f.code, message: f.message }));
  return { info, input, batchSize, fixedBatch: graph.fixedBatch, outputName, warnings };
}

export class ModelRunner implements RunnerDescription {
  private constructor(
    readonly model: ModelConfig,
    readonly info: ModelInfo,
    readonly input: ResolvedModelInput,
    readonly provider: ProviderName,
    readonly attempts: ProviderAttempt[],
    readonly batchSize: number,
    readonly outputName: string,
    readonly warnings: { code: string; message: string }[],
    readonly fixedBatch: number | undefined,
    private session: ort.InferenceSession | undefined,
  ) {}

  /** Reads `model.path`, checks it against the config and opens a session on the runtime's provider. */
  static async create(model: ModelConfig, runtime: RunnerSettings, signal?: AbortSignal): Promise<ModelRunner> {
    if (!model.path) throw new Error(`model ${model.name} has no ONNX path: its predictions come from files`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(model.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(model.path, `Model \`${model.name}\`: ${model.path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}; check \`path\`.`, 'model/missing-file');
    }
    return ModelRunner.fromBytes(model, bytes, runtime, signal);
  }

  /** As `create`, for a model already in memory (built in code, or read elsewhere). */
  static async fromBytes(model: ModelConfig, bytes: Uint8Array, runtime: RunnerSettings, signal?: AbortSignal): Promise<ModelRunner> {
    throwIfAborted(signal);
    const { info, input, batchSize, fixedBatch, outputName, warnings } = prepareModel(model, bytes, runtime);
    const { session, provider, attempts } = await selectProvider(runtime.provider, bytes, { threads: runtime.threads });
    if (signal?.aborted) {
      await session.release();
      throwIfAborted(signal);
    }
    return new ModelRunner(model, info, input, provider, attempts, batchSize, outputName, warnings, fixedBatch, session);
  }

  get description(): RunnerDescription {
    return {
      info: this.info,
      input: this.input,
      provider: this.provider,
      attempts: this.attempts,
      batchSize: this.batchSize,
      ...(this.fixedBatch !== undefined ? { fixedBatch: this.fixedBatch } : {}),
      outputName: this.outputName,
      warnings: this.warnings,
    };
  }

  /** Values in one sample of the model input (C·H·W). */
  get sampleLength(): number {
    return this.input.channels * this.input.size[0] * this.input.size[1];
  }

  /**
   * Runs preprocessed inputs (C·H·W floats each, in the model's layout) and returns one
   * foreground probability map per input at the model size (H·W).
   */
  async run(inputs: Float32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
    const sampleLength = this.sampleLength;
    for (const x of inputs) this.checkSample(x);
    const chunk = this.batchSize;
    const results: Float32Array[] = [];
    for (let start = 0; start < inputs.length; start += chunk) {
      throwIfAborted(signal);
      const part = inputs.slice(start, start + chunk);
      const data = new Float32Array(part.length * sampleLength);
      part.forEach((x, k) => data.set(x, k * sampleLength));
      const { scores, dims } = await this.runScores(data, part.length);
      const stride = scores.length / (this.fixedBatch ?? part.length);
      for (let k = 0; k < part.length; k++) results.push(scoresToProbability(scores, dims, this.scoreSource, k * stride));
    }
    return results;
  }

  /**
   * One `session.run` on `samples` inputs laid end to end in `data` (padded with zeros to a graph's
   * fixed batch): the raw scores of the chosen output, batch axis first. `session.run` blocks this
   * thread while it computes, so turning scores into probabilities is left to the caller (in an
   * evaluation, the case workers), and the next batch can start meanwhile.
   */
  async runScores(data: Float32Array, samples: number): Promise<{ scores: Float32Array; dims: number[] }> {
    const session = this.session;
    if (!session) throw new Error(`model ${this.model.name}: the runner was disposed`);
    const [h, w] = this.input.size;
    const sampleLength = this.sampleLength;
    if (data.length !== samples * sampleLength) throw new Error(`model ${this.model.name}: ${data.length} input values for ${samples} samples of ${sampleLength}`);
    const n = this.fixedBatch ?? samples;
    if (n < samples) throw new Error(`model ${this.model.name}: ${samples} samples for a graph whose batch is fixed at ${n}`);
    let batch = data;
    if (n > samples) {
      // A graph with a fixed batch takes exactly that many samples: pad with zeros.
      batch = new Float32Array(n * sampleLength);
      batch.set(data);
    }
    const dims = this.input.layout === 'NCHW' ? [n, this.input.channels, h, w] : [n, h, w, this.input.channels];
    const out = await this.runSession(session, batch, dims);
    if (out.type !== 'float32') {
      throw new InputError(modelFileOf(this.model), `Model \`${this.model.name}\`: output \`${this.outputName}\` is ${out.type}; the engine reads float32 scores.`, 'model/output-type');
    }
    return { scores: out.data as Float32Array, dims: [...out.dims] };
  }

  /** Refuses an input of the wrong length with the sizes the model expects. */
  checkSample(x: Float32Array): void {
    const [h, w] = this.input.size;
    if (x.length !== this.sampleLength) throw new Error(`model ${this.model.name}: an input has ${x.length} values, ${this.sampleLength} expected (${this.input.channels}×${h}×${w})`);
  }

  /** What the probability maps are made from (for scoresToProbability). */
  get scoreSource(): ScoreSource {
    return { modelName: this.model.name, modelFile: modelFileOf(this.model), output: this.model.output, layout: this.input.layout, size: this.input.size };
  }

  /** Predicts one image or volume at the reference size (default: the image's size). */
  predict(image: ImageVolume, refSize?: ReferenceSize, options?: PredictOptions): Promise<Prediction> {
    return predictImage(this.context(), image, refSize, options);
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  private context(): PredictionContext {
    return {
      modelName: this.model.name,
      modelFile: modelFileOf(this.model),
      input: this.input,
      output: this.model.output,
      batchSize: this.batchSize,
      run: (inputs, signal) => this.run(inputs, signal),
    };
  }

  private async runSession(session: ort.InferenceSession, data: Float32Array, dims: number[]): Promise<ort.Tensor> {
    const file = modelFileOf(this.model);
    try {
      const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
      return result[this.outputName] as ort.Tensor;
    } catch (err) {
      throw new InputError(file, `Model \`${this.model.name}\` failed to run on a [${dims.join(',')}] input: ${(err as Error).message.split('\n')[0]}`, 'model/run-failed');
    }
  }
}
