/**
 * The gradient-free evaluators: the model's tail (cut at the explained layer) scoring perturbed
 * activations for Grad-CAM's finite-difference fallback, and the plain model scoring masked
 * inputs for Score-CAM. Both open their session on first use, on the explainer's provider.
 */
import * as ort from 'onnxruntime-node';
import type { onnx } from 'onnx-proto';
import type { ModelConfig } from '../config/types';
import { scoreMapShape, selectProvider, type ProviderName, type RunnerSettings } from '../inference';
import type { FeatureMap } from './featureMap';
import type { TailEvaluator } from './gradCam';
import { cutGraph, encodeModel } from './graphSurgery';
import type { LayerCandidate } from './layers';
import type { ModelEvaluator } from './scoreCam';
import { dataTypeOf, runError } from './sessionErrors';
import { targetScore } from './target';

/** One run of the head: the scores, the layer's activations of sample 0, and what the tail reads. */
export interface HeadResult {
  scores: ort.Tensor;
  map: FeatureMap;
  feeds: Map<string, ort.Tensor>;
}

/** Bytes a batch of perturbed samples (with tiled feeds) may take. */
const BATCH_BYTES = 256 * 1024 * 1024;
const MAX_TAIL_BATCH = 32;

export interface EvaluatorContext {
  model: ModelConfig;
  proto: onnx.IModelProto;
  layer: Pick<LayerCandidate, 'name' | 'channels' | 'height' | 'width'>;
  outputName: string;
  provider: ProviderName;
  runtime: RunnerSettings;
  fixedBatch?: number;
  layout: 'NCHW' | 'NHWC';
  /** Model input dims for a batch of n. */
  inputDims(n: number): number[];
}

export class GradientFreeEvaluators {
  private tail: ort.InferenceSession | undefined;
  private tailBatch = MAX_TAIL_BATCH;
  private plain: ort.InferenceSession | undefined;

  constructor(
    private readonly ctx: EvaluatorContext,
    private readonly bytes: Uint8Array,
  ) {}

  private async tailSession(feeds: Map<string, ort.Tensor>): Promise<ort.InferenceSession> {
    if (this.tail) return this.tail;
    const { ctx } = this;
    const elementTypes: Record<string, number> = {};
    for (const [name, t] of feeds) elementTypes[name] = dataTypeOf(t.type);
    const cut = cutGraph(ctx.proto, ctx.layer.name, { elementTypes, file: ctx.model.path, outputs: [ctx.outputName] });
    const { session } = await selectProvider(ctx.provider, encodeModel(cut.model), { threads: ctx.runtime.threads });
    this.tail = session;
    let feedValues = 0;
    for (const t of feeds.values()) if (t.type === 'float32') feedValues += t.data.length;
    const sampleBytes = 4 * (ctx.layer.channels * ctx.layer.height * ctx.layer.width + feedValues);
    this.tailBatch = Math.max(1, Math.min(MAX_TAIL_BATCH, Math.floor(BATCH_BYTES / Math.max(1, sampleBytes))));
    return session;
  }

  /** Scores perturbed activations of the head's sample through the tail (Grad-CAM by differences). */
  tailEvaluator(head: HeadResult, outWidth: number, outHeight: number, region: Uint32Array): TailEvaluator {
    const self = this;
    const { ctx } = this;
    const headBatch = ctx.fixedBatch ?? 1;
    // Tiled skip tensors are the same for every call of one size: build them once.
    const tiled = new Map<number, Record<string, ort.Tensor>>();
    const feedsFor = (count: number) => {
      let feeds = tiled.get(count);
      if (!feeds) {
        feeds = {};
        for (const [name, t] of head.feeds) feeds[name] = tileSample(t, headBatch, count);
        tiled.set(count, feeds);
      }
      return feeds;
    };
    const layerDims = ctx.layout === 'NCHW' ? [ctx.layer.channels, ctx.layer.height, ctx.layer.width] : [ctx.layer.height, ctx.layer.width, ctx.layer.channels];
    return {
      get maxBatch() {
        return self.tailBatch;
      },
      async evaluate(samples: Float32Array, count: number): Promise<Float64Array> {
        const session = await self.tailSession(head.feeds);
        const sampleLength = samples.length / count;
        const y = new Float64Array(count);
        // A tail that cannot batch (a Reshape to a fixed batch) runs one sample at a time.
        for (let start = 0; start < count; ) {
          const size = Math.min(self.tailBatch, count - start);
          const runSize = ctx.fixedBatch !== undefined && self.tailBatch === ctx.fixedBatch ? ctx.fixedBatch : size;
          const chunk = new Float32Array(runSize * sampleLength);
          chunk.set(samples.subarray(start * sampleLength, (start + size) * sampleLength));
          const feeds: Record<string, ort.Tensor> = { ...feedsFor(runSize), [ctx.layer.name]: new ort.Tensor('float32', chunk, [runSize, ...layerDims]) };
          let out: ort.InferenceSession.OnnxValueMapType;
          try {
            out = await session.run(feeds);
          } catch (err) {
            if (self.tailBatch > (ctx.fixedBatch ?? 1)) {
              self.tailBatch = ctx.fixedBatch ?? 1;
              continue;
            }
            throw runError(ctx.model, `the tail from layer \`${ctx.layer.name}\``, err);
          }
          const t = out[ctx.outputName] as ort.Tensor;
          const shape = scoreMapShape(t.dims, ctx.layout);
          if (shape.width !== outWidth || shape.height !== outHeight) throw new Error(`the tail's output is ${shape.width}×${shape.height}, the model's ${outWidth}×${outHeight}`);
          for (let k = 0; k < size; k++) y[start + k] = targetScore(t.data as Float32Array, shape, ctx.model.output, region, k);
          start += size;
        }
        return y;
      },
    };
  }

  /** Scores masked inputs with the whole model (Score-CAM): the mean foreground score over the region. */
  async modelEvaluator(region: Uint32Array): Promise<ModelEvaluator> {
    const { ctx } = this;
    if (!this.plain) this.plain = (await selectProvider(ctx.provider, this.bytes, { threads: ctx.runtime.threads })).session;
    const session = this.plain;
    const batch = ctx.fixedBatch ?? Math.max(1, ctx.runtime.batch);
    return {
      maxBatch: batch,
      async evaluate(inputs: Float32Array, count: number): Promise<Float64Array> {
        const sampleLength = inputs.length / count;
        const n = ctx.fixedBatch ?? count;
        const data = new Float32Array(n * sampleLength);
        data.set(inputs);
        let out: ort.InferenceSession.OnnxValueMapType;
        try {
          out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, ctx.inputDims(n)) });
        } catch (err) {
          throw runError(ctx.model, 'a Score-CAM run', err);
        }
        const t = out[ctx.outputName] as ort.Tensor;
        const shape = scoreMapShape(t.dims, ctx.layout);
        const y = new Float64Array(count);
        for (let k = 0; k < count; k++) y[k] = targetScore(t.data as Float32Array, shape, ctx.model.output, region, k) / region.length;
        return y;
      },
    };
  }

  async dispose(): Promise<void> {
    const sessions = [this.tail, this.plain];
    this.tail = undefined;
    this.plain = undefined;
    await Promise.all(sessions.map((s) => s?.release()));
  }
}

/**
 * A head tensor for a batch of `count` perturbed samples: per-sample float tensors (batch axis
 * first) repeat sample 0; anything else (shape tensors, constants) goes in unchanged.
 */
function tileSample(t: ort.Tensor, headBatch: number, count: number): ort.Tensor {
  if (t.type !== 'float32' || t.dims.length === 0 || t.dims[0] !== headBatch) return t;
  if (headBatch === count && headBatch === 1) return t;
  const length = t.data.length / headBatch;
  const src = (t.data as Float32Array).subarray(0, length);
  const data = new Float32Array(count * length);
  for (let k = 0; k < count; k++) data.set(src, k * length);
  return new ort.Tensor('float32', data, [count, ...t.dims.slice(1)]);
}
