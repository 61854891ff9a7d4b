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
import { pushAll } from '../util/arrays';
import { checkModelAgainstConfig, resolveGraphInput, resolveGraphOutput } from './checkModel';
import { countNonFinite, foregroundProbability, resizeProbability, scoreMapShape } from './postprocess';
import {
  NON_FINITE_CODE,
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
    private readonly fixedBatch: number | undefined,
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
    return { info: this.info, input: this.input, provider: this.provider, attempts: this.attempts, batchSize: this.batchSize, outputName: this.outputName, warnings: this.warnings };
  }

  /**
   * Runs preprocessed inputs (C·H·W floats each, in the model's layout) and returns one
   * foreground probability map per input at the model size (H·W).
   */
  async run(inputs: Float32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
    const session = this.session;
    if (!session) throw new Error(`model ${this.model.name}: the runner was disposed`);
    const [h, w] = this.input.size;
    const sampleLength = this.input.channels * h * w;
    for (const x of inputs) {
      if (x.length !== sampleLength) throw new Error(`model ${this.model.name}: an input has ${x.length} values, ${sampleLength} expected (${this.input.channels}×${h}×${w})`);
    }
    const chunk = this.batchSize;
    const results: Float32Array[] = [];
    for (let start = 0; start < inputs.length; start += chunk) {
      throwIfAborted(signal);
      const part = inputs.slice(start, start + chunk);
      // A graph with a fixed batch takes exactly that many samples: pad the last chunk with zeros.
      const n = this.fixedBatch ?? part.length;
      const data = new Float32Array(n * sampleLength);
      part.forEach((x, k) => data.set(x, k * sampleLength));
      const dims = this.input.layout === 'NCHW' ? [n, this.input.channels, h, w] : [n, h, w, this.input.channels];
      pushAll(results, await this.runBatch(session, data, dims, part.length));
    }
    return results;
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

  private async runBatch(session: ort.InferenceSession, data: Float32Array, dims: number[], used: number): Promise<Float32Array[]> {
    const file = modelFileOf(this.model);
    const inputName = session.inputNames[0];
    const outputName = this.outputName;
    let out: ort.Tensor;
    try {
      const result = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
      out = result[outputName] as ort.Tensor;
    } catch (err) {
      throw new InputError(file, `Model \`${this.model.name}\` failed to run on a [${dims.join(',')}] input: ${(err as Error).message.split('\n')[0]}`, 'model/run-failed');
    }
    if (out.type !== 'float32') {
      throw new InputError(file, `Model \`${this.model.name}\`: output \`${outputName}\` is ${out.type}; the engine reads float32 scores.`, 'model/output-type');
    }
    const scores = out.data as Float32Array;
    const shape = scoreMapShape(out.dims, this.input.layout);
    const sampleLength = shape.channels * shape.height * shape.width;
    const [h, w] = this.input.size;
    const maps: Float32Array[] = [];
    for (let k = 0; k < used; k++) {
      const offset = k * sampleLength;
      if (countNonFinite(scores, offset, offset + sampleLength) > 0) {
        throw new InputError(file, `Model \`${this.model.name}\` produced NaN or infinite scores.`, NON_FINITE_CODE);
      }
      const prob = foregroundProbability(scores, shape, this.model.output, offset);
      maps.push(resizeProbability(prob, shape.width, shape.height, w, h));
    }
    return maps;
  }
}
