/**
 * One onnxruntime session that runs a model forward and backward: for a batch of preprocessed
 * images it returns the scores, the activations of one tensor and the target's exact gradient
 * with respect to them. The gradient graph is written by core/onnx/autodiff from sizes measured in
 * two probe runs; it runs on the provider the explanation uses.
 */
import * as ort from 'onnxruntime-node';
import type { onnx } from 'onnx-proto';
import type { ModelConfig } from '../config/types';
import { selectProvider, type ProviderName, type ResolvedModelInput, type RunnerSettings } from '../inference';
import { buildGradientModel, planGradient, type GradientModel } from '../onnx/autodiff';
import { encodeModel } from './graphSurgery';
import { runError } from './sessionErrors';
import { predictionSeedBuilder } from './targetSeed';
import { blankFeeds, probeTensorFacts } from './tensorFacts';

/** What a batch's intermediate tensors (forward and backward) may take, to size the batch. */
const BATCH_BYTES = 512 * 1024 * 1024;
/** The backward pass holds about twice the forward's tensors alive. */
const BACKWARD_FACTOR = 3;
const MAX_BATCH = 16;

export interface GradientRunnerOptions {
  model: ModelConfig;
  proto: onnx.IModelProto;
  input: ResolvedModelInput;
  runtime: RunnerSettings;
  provider: ProviderName;
  fixedBatch?: number;
  /** The tensor to differentiate for (a layer's activations, or the graph input). */
  wrt: string;
  /** The model output the target is read from. */
  output: string;
  /** `prediction`: the seed is the model's own mask, built in the graph; `input`: the caller passes it. */
  seed: 'prediction' | 'input';
}

export interface GradientBatch {
  count: number;
  scores: ort.Tensor;
  /** `count` samples of the wrt tensor, one after another (absent when it is the graph input). */
  activations?: Float32Array;
  /** ∂target/∂wrt, laid out like `activations`. */
  gradients: Float32Array;
  /** Dims of the wrt tensor for the run (batch axis first). */
  dims: readonly number[];
  /** The seed the graph built (prediction targets), laid out like the scores. */
  seed?: Float32Array;
}

export class GradientRunner {
  private constructor(
    private readonly options: GradientRunnerOptions,
    private readonly session: ort.InferenceSession,
    private readonly gradient: GradientModel,
    /** Samples per run. */
    readonly maxBatch: number,
    /** Nodes on the gradient path (for descriptions). */
    readonly nodeCount: number,
    /** Dims of the model output in a run at batch 1. */
    readonly outputDims: readonly number[],
  ) {}

  /** Throws GradientUnsupported when an operator on the path has no rule (the caller falls back). */
  static async create(options: GradientRunnerOptions): Promise<GradientRunner> {
    const { proto, input, wrt, output } = options;
    const plan = planGradient(proto, [wrt], output);
    if (plan.unsupported.length > 0) throw plan.unsupported[0];
    const [h, w] = input.size;
    const sampleDims = input.layout === 'NCHW' ? [input.channels, h, w] : [h, w, input.channels];
    const inputName = proto.graph?.input?.find((v) => !(proto.graph?.initializer ?? []).some((t) => t.name === v.name))?.name ?? '';
    const facts = await probeTensorFacts(proto, plan.probe, blankFeeds(inputName, sampleDims), options.fixedBatch);
    const outputDims = facts.get(output)?.dims ?? [];
    const gradient = buildGradientModel(proto, {
      wrt: [wrt],
      output,
      facts,
      plan,
      seed: options.seed === 'prediction' ? { kind: 'graph', build: predictionSeedBuilder(options.model.output, outputDims, input.layout) } : { kind: 'input' },
    });
    let session: ort.InferenceSession;
    try {
      ({ session } = await selectProvider(options.provider, encodeModel(gradient.model), { threads: options.runtime.threads }));
    } catch (err) {
      throw runError(options.model, 'loading the gradient graph', err);
    }
    let perSample = 0;
    for (const [name, f] of facts) if (plan.active.has(name)) perSample += 4 * f.dims.reduce((a, d, i) => a * (f.batched[i] ? 1 : d), 1);
    const maxBatch = options.fixedBatch ?? Math.max(1, Math.min(MAX_BATCH, options.runtime.batch, Math.floor(BATCH_BYTES / Math.max(1, BACKWARD_FACTOR * perSample))));
    return new GradientRunner(options, session, gradient, maxBatch, plan.nodes.length, outputDims);
  }

  /**
   * Runs `count` preprocessed samples (laid end to end in `inputs`; at most `maxBatch`). `seeds`:
   * ∂L/∂scores for input-seeded runners, laid out like the scores.
   */
  async run(inputs: Float32Array, count: number, seeds?: Float32Array, seedDims?: readonly number[]): Promise<GradientBatch> {
    const { input, model, fixedBatch } = this.options;
    const n = fixedBatch ?? count;
    const sampleLength = inputs.length / count;
    const data = new Float32Array(n * sampleLength);
    data.set(inputs.subarray(0, count * sampleLength));
    const [h, w] = input.size;
    const dims = input.layout === 'NCHW' ? [n, input.channels, h, w] : [n, h, w, input.channels];
    const feeds: Record<string, ort.Tensor> = { [this.session.inputNames.find((x) => x !== this.gradient.seedInput)!]: new ort.Tensor('float32', data, dims) };
    if (this.gradient.seedInput) {
      if (!seeds || !seedDims) throw new Error('GradientRunner.run: this runner takes its seed as an input');
      const seedLength = seeds.length / count;
      const padded = new Float32Array(n * seedLength);
      padded.set(seeds.subarray(0, count * seedLength));
      feeds[this.gradient.seedInput] = new ort.Tensor('float32', padded, [n, ...seedDims.slice(1)]);
    }
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds);
    } catch (err) {
      throw runError(model, 'the forward and backward run', err);
    }
    const grad = out[this.gradient.gradients[0]] as ort.Tensor;
    const activation = this.gradient.activations[0] ? (out[this.gradient.activations[0]] as ort.Tensor) : undefined;
    const seed = this.gradient.seedOutput ? (out[this.gradient.seedOutput] as ort.Tensor) : undefined;
    return {
      count,
      scores: out[this.gradient.output] as ort.Tensor,
      activations: activation?.data as Float32Array | undefined,
      gradients: grad.data as Float32Array,
      dims: grad.dims,
      seed: seed?.data as Float32Array | undefined,
    };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
