/**
 * Explains one ONNX model image by image. Three sessions, opened on the runtime's provider:
 * - the head: the full model with the chosen layer and the tail's other inputs exposed as extra
 *   outputs (one run per image gives the prediction, the activations and the skip tensors);
 * - the tail: the model cut at the layer (Grad-CAM's directional derivatives), opened on first
 *   use with the element types the head reported;
 * - the plain model (Score-CAM's masked inputs), opened on first use.
 */
import * as ort from 'onnxruntime-node';
import type { onnx } from 'onnx-proto';
import type { ModelConfig } from '../config/types';
import { InputError } from '../findings';
import {
  foregroundProbability,
  preprocess,
  prepareModel,
  resizeBilinear,
  resizeProbability,
  scoreMapShape,
  selectProvider,
  thresholdProbability,
  type ProviderName,
  type ResolvedModelInput,
  type RunnerSettings,
} from '../inference';
import type { ImageVolume } from '../io/types';
import { eigenCam } from './eigenCam';
import { featureMapShape, weightedChannelSum, type FeatureMap } from './featureMap';
import { gradCamWeights, type TailEvaluator } from './gradCam';
import { analyzeGraph } from './graphTopology';
import { cutGraph, decodeModel, encodeModel, exposeTensors, NOT_CUTTABLE_CODE, type GraphCut } from './graphSurgery';
import type { LayerCandidate } from './layers';
import { resolveLayer } from './layerProbe';
import { scoreCamWeights, type ModelEvaluator } from './scoreCam';
import { dataTypeOf, runError } from './sessionErrors';
import { regionOf, resizeMask, targetScore } from './target';

export type CamMethod = 'gradcam' | 'scorecam' | 'eigencam';
export type CamTarget = 'prediction' | 'reference';

export interface ChosenLayer extends LayerCandidate {
  /** `auto` when the rule chose it, `config` when the config named it. */
  rule: 'auto' | 'config';
}

export interface ExplainImageOptions {
  method: CamMethod;
  target: CamTarget;
  /** Axial slice of a volume (default 0). */
  slice?: number;
  /** Size of the reference mask the heat is measured against (default: the image's). */
  refSize?: { width: number; height: number };
  /** Reference mask at `refSize` (0/1), needed for `target: reference`. */
  reference?: Uint8Array;
  /** Grad-CAM's ε relative to the activations' RMS. */
  relativeStep?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface ImageExplanation {
  method: CamMethod;
  layer: string;
  /** The map at the layer's resolution (camWidth × camHeight), ≥ 0. */
  cam: Float64Array;
  camWidth: number;
  camHeight: number;
  /** The map upsampled (bilinear) to the reference size, ≥ 0. */
  heat: Float32Array;
  width: number;
  height: number;
  /** The model's binary prediction at the reference size, as the evaluation computes it. */
  prediction: Uint8Array;
  /** Pixels of the target region at the output's resolution (0: Grad-/Score-CAM have nothing to explain). */
  targetPixels: number;
  weights?: Float64Array;
  epsilon?: number;
  scores?: Float64Array;
  explainedVariance?: number;
  /** Runs of the tail or the model spent on this image. */
  evaluations: number;
}

export interface ExplainerOptions {
  /** `auto` or a tensor name. */
  layer?: string;
  signal?: AbortSignal;
}

interface HeadResult {
  scores: ort.Tensor;
  map: FeatureMap;
  feeds: Map<string, ort.Tensor>;
}

/** Bytes a batch of perturbed samples (with tiled feeds) may take. */
const BATCH_BYTES = 256 * 1024 * 1024;
const MAX_TAIL_BATCH = 32;


export class ModelExplainer {
  private tail: ort.InferenceSession | undefined;
  private tailBatch: number;
  private plain: ort.InferenceSession | undefined;

  private constructor(
    readonly model: ModelConfig,
    readonly input: ResolvedModelInput,
    readonly provider: ProviderName,
    readonly layer: ChosenLayer,
    /** Every explainable feature map, when the model was probed (always for `auto`). */
    readonly candidates: LayerCandidate[] | undefined,
    private readonly proto: onnx.IModelProto,
    private readonly cut: GraphCut,
    private readonly head: ort.InferenceSession,
    private readonly runtime: RunnerSettings,
    private readonly fixedBatch: number | undefined,
    private readonly bytes: Uint8Array,
    /** The graph output that is the segmentation (config `output.name`, or chosen by shape). */
    private readonly outputName: string,
  ) {
    this.tailBatch = MAX_TAIL_BATCH;
  }

  static async create(model: ModelConfig, bytes: Uint8Array, runtime: RunnerSettings, options: ExplainerOptions = {}): Promise<ModelExplainer> {
    const file = model.path ?? `model ${model.name}`;
    const { input, fixedBatch, outputName } = prepareModel(model, bytes, runtime);
    const proto = decodeModel(bytes, file);
    const topo = analyzeGraph(proto.graph!);
    const requested = options.layer ?? 'auto';
    const { name: layerName, candidates } = await resolveLayer(requested, { proto, topo, input, runtime, fixedBatch, model, outputName });
    options.signal?.throwIfAborted();
    const cut = cutGraph(proto, layerName, { file, topology: topo, outputs: [outputName] });
    const computedFeeds = cut.feeds.filter((f) => !topo.graphInputs.has(f));
    const headProto = exposeTensors(proto, [layerName, ...computedFeeds], file);
    const { session, provider } = await selectProvider(runtime.provider, encodeModel(headProto), { threads: runtime.threads });
    const explainer = new ModelExplainer(model, input, provider, { name: layerName, op: '', channels: 0, height: 0, width: 0, depth: 0, rule: requested === 'auto' ? 'auto' : 'config' }, candidates, proto, cut, session, runtime, fixedBatch, bytes, outputName);
    // One run on a blank input tells the layer's shape (and rejects a tensor that is not a feature map).
    const blank = new Float32Array(input.channels * input.size[0] * input.size[1]);
    let probe: HeadResult;
    try {
      probe = await explainer.runHead(blank);
    } catch (err) {
      await explainer.dispose();
      throw err;
    }
    const producer = topo.producer.get(layerName);
    Object.assign(explainer.layer, {
      op: producer === undefined ? '' : topo.nodes[producer].opType ?? '',
      depth: producer === undefined ? 0 : topo.depth[producer],
      channels: probe.map.channels,
      height: probe.map.height,
      width: probe.map.width,
    });
    return explainer;
  }

  /** Explains slice `options.slice` of an image. */
  async explainImage(image: ImageVolume, options: ExplainImageOptions): Promise<ImageExplanation> {
    const x = preprocess(image, options.slice ?? 0, this.input);
    const refW = options.refSize?.width ?? image.width;
    const refH = options.refSize?.height ?? image.height;
    const head = await this.runHead(x);
    const shape = scoreMapShape(head.scores.dims, this.input.layout);
    const scores = head.scores.data as Float32Array;
    const prob = foregroundProbability(scores, shape, this.model.output);
    const [mh, mw] = this.input.size;
    const atModel = resizeProbability(prob, shape.width, shape.height, mw, mh);
    const prediction = thresholdProbability(resizeProbability(atModel, mw, mh, refW, refH), this.model.output.threshold);

    let targetMask: Uint8Array;
    if (options.target === 'reference') {
      if (!options.reference) throw new Error('explainImage: target `reference` needs the reference mask');
      targetMask = resizeMask(options.reference, refW, refH, shape.width, shape.height);
    } else {
      targetMask = thresholdProbability(prob, this.model.output.threshold);
    }
    const region = regionOf(targetMask);
    const map = head.map;
    let cam: Float64Array;
    const extra: Partial<ImageExplanation> = {};
    let evaluations = 0;
    if (options.method === 'eigencam') {
      // Oriented by the model's own foreground probability at the layer's resolution.
      const e = eigenCam(map, resizeBilinear(prob, shape.width, shape.height, map.width, map.height));
      cam = e.cam;
      extra.explainedVariance = e.explainedVariance;
    } else if (region.length === 0) {
      cam = new Float64Array(map.height * map.width);
      extra.weights = new Float64Array(map.channels);
    } else if (options.method === 'gradcam') {
      const g = await gradCamWeights(map, this.tailEvaluator(head, shape.width, shape.height, region), {
        relativeStep: options.relativeStep,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      cam = weightedChannelSum(map, g.weights);
      Object.assign(extra, { weights: g.weights, epsilon: g.epsilon });
      evaluations = g.evaluations;
    } else {
      const s = await scoreCamWeights(map, x, { channels: this.input.channels, height: mh, width: mw, layout: this.input.layout }, await this.modelEvaluator(region), {
        signal: options.signal,
        onProgress: options.onProgress,
      });
      cam = weightedChannelSum(map, s.weights);
      Object.assign(extra, { weights: s.weights, scores: s.scores });
      evaluations = s.evaluations;
    }
    const heat = resizeBilinear(Float32Array.from(cam), map.width, map.height, refW, refH);
    return {
      method: options.method,
      layer: this.layer.name,
      cam,
      camWidth: map.width,
      camHeight: map.height,
      heat,
      width: refW,
      height: refH,
      prediction,
      targetPixels: region.length,
      evaluations,
      ...extra,
    };
  }

  async dispose(): Promise<void> {
    const sessions = [this.head, this.tail, this.plain];
    this.tail = undefined;
    this.plain = undefined;
    await Promise.all(sessions.map((s) => s?.release()));
  }

  private inputDims(n: number): number[] {
    const [h, w] = this.input.size;
    return this.input.layout === 'NCHW' ? [n, this.input.channels, h, w] : [n, h, w, this.input.channels];
  }

  /** One preprocessed sample through the head (padded to a fixed batch when the graph has one). */
  private async runHead(x: Float32Array): Promise<HeadResult> {
    const n = this.fixedBatch ?? 1;
    const data = new Float32Array(n * x.length);
    data.set(x);
    const inputName = this.head.inputNames[0];
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.head.run({ [inputName]: new ort.Tensor('float32', data, this.inputDims(n)) });
    } catch (err) {
      throw runError(this.model, `the run with layer \`${this.layer.name}\` exposed`, err);
    }
    const scores = firstSample(out[this.outputName] as ort.Tensor, n);
    const activation = out[this.layer.name] as ort.Tensor;
    const shape = featureMapShape(activation.dims, this.input.layout);
    if (!shape || activation.type !== 'float32' || activation.dims[0] !== n) {
      throw new InputError(
        this.model.path ?? this.model.name,
        `Model \`${this.model.name}\`: layer \`${this.layer.name}\` is ${activation.type}[${activation.dims.join(',')}], not a feature map [N, C, h, w]; name another tensor in \`explain.gradcam.layer\`.`,
        NOT_CUTTABLE_CODE,
      );
    }
    const map: FeatureMap = { ...shape, layout: this.input.layout, data: (activation.data as Float32Array).slice(0, shape.channels * shape.height * shape.width) };
    const feeds = new Map<string, ort.Tensor>();
    for (const f of this.cut.feeds) feeds.set(f, f === inputName ? new ort.Tensor('float32', data, this.inputDims(n)) : (out[f] as ort.Tensor));
    return { scores, map, feeds };
  }

  private async tailSession(feeds: Map<string, ort.Tensor>): Promise<ort.InferenceSession> {
    if (this.tail) return this.tail;
    const elementTypes: Record<string, number> = {};
    for (const [name, t] of feeds) elementTypes[name] = dataTypeOf(t.type);
    const cut = cutGraph(this.proto, this.layer.name, { elementTypes, file: this.model.path, outputs: [this.outputName] });
    const { session } = await selectProvider(this.provider, encodeModel(cut.model), { threads: this.runtime.threads });
    this.tail = session;
    const sampleBytes = 4 * (this.layer.channels * this.layer.height * this.layer.width + [...feeds.values()].reduce((s, t) => s + (t.type === 'float32' ? t.data.length : 0), 0));
    this.tailBatch = Math.max(1, Math.min(MAX_TAIL_BATCH, Math.floor(BATCH_BYTES / Math.max(1, sampleBytes))));
    return session;
  }

  private tailEvaluator(head: HeadResult, outWidth: number, outHeight: number, region: Uint32Array): TailEvaluator {
    const self = this;
    const layout = this.input.layout;
    const output = this.model.output;
    const headBatch = this.fixedBatch ?? 1;
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
          const runSize = self.fixedBatch !== undefined && self.tailBatch === self.fixedBatch ? self.fixedBatch : size;
          const chunk = new Float32Array(runSize * sampleLength);
          chunk.set(samples.subarray(start * sampleLength, (start + size) * sampleLength));
          const feeds: Record<string, ort.Tensor> = {
            ...feedsFor(runSize),
            [self.layer.name]: new ort.Tensor('float32', chunk, [runSize, ...activationDims(self.layer, layout)]),
          };
          let out: ort.InferenceSession.OnnxValueMapType;
          try {
            out = await session.run(feeds);
          } catch (err) {
            if (self.tailBatch > (self.fixedBatch ?? 1)) {
              self.tailBatch = self.fixedBatch ?? 1;
              continue;
            }
            throw runError(self.model, `the tail from layer \`${self.layer.name}\``, err);
          }
          const t = out[self.outputName] as ort.Tensor;
          const shape = scoreMapShape(t.dims, layout);
          if (shape.width !== outWidth || shape.height !== outHeight) throw new Error(`the tail's output is ${shape.width}×${shape.height}, the model's ${outWidth}×${outHeight}`);
          for (let k = 0; k < size; k++) y[start + k] = targetScore(t.data as Float32Array, shape, output, region, k);
          start += size;
        }
        return y;
      },
    };
  }

  private async modelEvaluator(region: Uint32Array): Promise<ModelEvaluator> {
    if (!this.plain) this.plain = (await selectProvider(this.provider, this.bytes, { threads: this.runtime.threads })).session;
    const session = this.plain;
    const batch = this.fixedBatch ?? Math.max(1, this.runtime.batch);
    const layout = this.input.layout;
    const output = this.model.output;
    const fixed = this.fixedBatch;
    const model = this.model;
    const dims = (n: number) => this.inputDims(n);
    const outputName = this.outputName;
    return {
      maxBatch: batch,
      async evaluate(inputs: Float32Array, count: number): Promise<Float64Array> {
        const sampleLength = inputs.length / count;
        const n = fixed ?? count;
        const data = new Float32Array(n * sampleLength);
        data.set(inputs);
        let out: ort.InferenceSession.OnnxValueMapType;
        try {
          out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims(n)) });
        } catch (err) {
          throw runError(model, 'a Score-CAM run', err);
        }
        const t = out[outputName] as ort.Tensor;
        const shape = scoreMapShape(t.dims, layout);
        const y = new Float64Array(count);
        for (let k = 0; k < count; k++) y[k] = targetScore(t.data as Float32Array, shape, output, region, k) / region.length;
        return y;
      },
    };
  }
}

function activationDims(layer: Pick<LayerCandidate, 'channels' | 'height' | 'width'>, layout: 'NCHW' | 'NHWC'): number[] {
  return layout === 'NCHW' ? [layer.channels, layer.height, layer.width] : [layer.height, layer.width, layer.channels];
}

/** Sample 0 of a batched output. */
function firstSample(t: ort.Tensor, n: number): ort.Tensor {
  if (n === 1) return t;
  const length = t.data.length / n;
  return new ort.Tensor('float32', (t.data as Float32Array).slice(0, length), [1, ...t.dims.slice(1)]);
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

