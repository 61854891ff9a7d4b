/**
 * Explains one ONNX model, a batch of images at a time. Sessions, opened on the runtime's provider:
 * - gradient runners (gradientRunner.ts): the model forward and backward in one run, for the
 *   gradient CAMs at the layer and for input saliency, opened on first use;
 * - the head: the full model with the chosen layer and the tail's other inputs exposed (Score-CAM,
 *   Eigen-CAM, the finite-difference fallback, and the prediction input saliency explains);
 * - the tail and the plain model of the gradient-free methods (differenceTail.ts), on first use.
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
  type ScoreMapShape,
} from '../inference';
import type { ImageVolume } from '../io/types';
import { GradientUnsupported } from '../onnx/autodiff';
import { GradientFreeEvaluators, type HeadResult } from './differenceTail';
import { eigenCam } from './eigenCam';
import { DEFAULT_SALIENCY, NO_GRADIENT_CODE, type CamTarget, type ChosenLayer, type ExplainerOptions, type ExplainImageOptions, type ExplainItem, type ImageExplanation } from './explainTypes';
import { featureMapShape, weightedChannelSum, type FeatureMap } from './featureMap';
import { gradCamWeights } from './gradCam';
import { gradientCam, type GradientCamMethod } from './gradientCams';
import { GradientRunner } from './gradientRunner';
import { analyzeGraph } from './graphTopology';
import { cutGraph, decodeModel, encodeModel, exposeTensors, NOT_CUTTABLE_CODE, type GraphCut } from './graphSurgery';
import { inputSaliency } from './inputSaliency';
import type { LayerCandidate } from './layers';
import { resolveLayer } from './layerProbe';
import { isGradientCam, isInputGradient, type CamMethod, type InputGradientMethod } from './methods';
import { scoreCamWeights } from './scoreCam';
import { runError } from './sessionErrors';
import { regionOf, resizeMask } from './target';
import { countSeed, writeMaskSeed } from './targetSeed';

export type { CamMethod } from './methods';
export { DEFAULT_SALIENCY, NO_GRADIENT_CODE, type CamTarget, type ChosenLayer, type ExplainerOptions, type ExplainImageOptions, type ExplainItem, type ImageExplanation } from './explainTypes';

type RunnerKey = `${'layer' | 'input'}:${'prediction' | 'input'}`;

export class ModelExplainer {
  private readonly evaluators: GradientFreeEvaluators;
  private readonly runners = new Map<RunnerKey, Promise<GradientRunner>>();

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
    bytes: Uint8Array,
    /** The graph output that is the segmentation (config `output.name`, or chosen by shape). */
    private readonly outputName: string,
  ) {
    this.evaluators = new GradientFreeEvaluators(
      { model, proto, layer, outputName, provider, runtime, fixedBatch, layout: input.layout, inputDims: (n) => this.inputDims(n) },
      bytes,
    );
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
    const layer: ChosenLayer = { name: layerName, op: '', channels: 0, height: 0, width: 0, depth: 0, rule: requested === 'auto' ? 'auto' : 'config' };
    const explainer = new ModelExplainer(model, input, provider, layer, candidates, proto, cut, session, runtime, fixedBatch, bytes, outputName);
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
    Object.assign(layer, {
      op: producer === undefined ? '' : topo.nodes[producer].opType ?? '',
      depth: producer === undefined ? 0 : topo.depth[producer],
      channels: probe.map.channels,
      height: probe.map.height,
      width: probe.map.width,
    });
    return explainer;
  }

  /** Explains slice `slice` of one image. */
  async explainImage(image: ImageVolume, options: ExplainImageOptions & Omit<ExplainItem, 'image'>): Promise<ImageExplanation> {
    const [result] = await this.explainBatch([{ image, slice: options.slice, refSize: options.refSize, reference: options.reference }], options);
    return result;
  }

  /** Explains several images; the gradient CAMs run them through the model together, in batches. */
  async explainBatch(items: readonly ExplainItem[], options: ExplainImageOptions): Promise<ImageExplanation[]> {
    const { method } = options;
    if (isGradientCam(method) && options.gradients !== 'differences') {
      const runner = await this.layerRunnerOrFallback(method, options);
      if (runner) return this.gradientCams(runner, method, items, options);
    }
    const out: ImageExplanation[] = [];
    for (const item of items) {
      options.signal?.throwIfAborted();
      out.push(isInputGradient(method) ? await this.inputGradient(method, item, options) : await this.withoutGradients(item, options));
    }
    return out;
  }

  /** Images `explainBatch` runs through the model together for these options (1 for the per-image methods). */
  async preferredBatch(options: Pick<ExplainImageOptions, 'method' | 'target' | 'gradients'>): Promise<number> {
    if (!isGradientCam(options.method) || options.gradients === 'differences') return 1;
    try {
      return (await this.runner('layer', options.target === 'prediction' ? 'prediction' : 'input')).maxBatch;
    } catch {
      return 1;
    }
  }

  /**
   * Why exact gradients are not available for the layer (an operator without a rule, or a graph
   * onnxruntime rejects), or undefined when they are. Opens the gradient runner if needed.
   */
  async gradientProblem(target: CamTarget): Promise<string | undefined> {
    try {
      await this.runner('layer', target === 'prediction' ? 'prediction' : 'input');
      return undefined;
    } catch (err) {
      if (err instanceof GradientUnsupported || err instanceof InputError) return err.message;
      throw err;
    }
  }

  async dispose(): Promise<void> {
    const runners = [...this.runners.values()];
    this.runners.clear();
    await Promise.all([
      this.head.release(),
      this.evaluators.dispose(),
      ...runners.map((r) => r.then((x) => x.dispose(), () => undefined)),
    ]);
  }

  private runner(wrt: 'layer' | 'input', seed: 'prediction' | 'input'): Promise<GradientRunner> {
    const key: RunnerKey = `${wrt}:${seed}`;
    let runner = this.runners.get(key);
    if (!runner) {
      runner = GradientRunner.create({
        model: this.model,
        proto: this.proto,
        input: this.input,
        runtime: this.runtime,
        provider: this.provider,
        fixedBatch: this.fixedBatch,
        wrt: wrt === 'layer' ? this.layer.name : this.head.inputNames[0],
        output: this.outputName,
        seed,
      });
      runner.catch(() => undefined);
      this.runners.set(key, runner);
    }
    return runner;
  }

  /** The gradient runner at the layer, or undefined when Grad-CAM falls back to differences. */
  private async layerRunnerOrFallback(method: GradientCamMethod, options: ExplainImageOptions): Promise<GradientRunner | undefined> {
    try {
      return await this.runner('layer', options.target === 'prediction' ? 'prediction' : 'input');
    } catch (err) {
      if (!(err instanceof GradientUnsupported) && !(err instanceof InputError)) throw err;
      if (method === 'gradcam' && options.gradients !== 'exact') return undefined;
      throw this.noGradient(method, err.message);
    }
  }

  private noGradient(method: CamMethod, why: string): InputError {
    const fallback = method === 'gradcam' ? ' Set `explain.gradcam.gradients: differences` (or `auto`) to use finite differences.' : ' Use `gradcam` (it falls back to finite differences), `scorecam` or `eigencam`.';
    return new InputError(this.model.path ?? this.model.name, `Model \`${this.model.name}\`: ${method} needs exact gradients, and the graph cannot be differentiated: ${why}.${fallback}`, NO_GRADIENT_CODE);
  }

  private inputDims(n: number): number[] {
    const [h, w] = this.input.size;
    return this.input.layout === 'NCHW' ? [n, this.input.channels, h, w] : [n, h, w, this.input.channels];
  }

  private refSizeOf(item: ExplainItem): { width: number; height: number } {
    return item.refSize ?? { width: item.image.width, height: item.image.height };
  }

  /** Foreground probability at the output's resolution and the binary prediction at the reference size. */
  private predictionOf(scores: Float32Array, shape: ScoreMapShape, offset: number, ref: { width: number; height: number }): { prob: Float32Array; prediction: Uint8Array } {
    const prob = foregroundProbability(scores, shape, this.model.output, offset);
    const [mh, mw] = this.input.size;
    const atModel = resizeProbability(prob, shape.width, shape.height, mw, mh);
    return { prob, prediction: thresholdProbability(resizeProbability(atModel, mw, mh, ref.width, ref.height), this.model.output.threshold) };
  }

  /** The target region at the output's resolution: the reference (resized) or the thresholded prediction. */
  private targetMask(item: ExplainItem, options: ExplainImageOptions, prob: Float32Array, shape: ScoreMapShape): Uint8Array {
    if (options.target === 'reference') {
      if (!item.reference) throw new Error('explain: target `reference` needs the reference mask');
      const ref = this.refSizeOf(item);
      return resizeMask(item.reference, ref.width, ref.height, shape.width, shape.height);
    }
    return thresholdProbability(prob, this.model.output.threshold);
  }

  private finish(item: ExplainItem, method: CamMethod, layer: string, cam: Float64Array, camWidth: number, camHeight: number, prediction: Uint8Array, targetPixels: number, evaluations: number, extra: Partial<ImageExplanation>): ImageExplanation {
    const ref = this.refSizeOf(item);
    const heat = resizeBilinear(Float32Array.from(cam), camWidth, camHeight, ref.width, ref.height);
    return { method, layer, cam, camWidth, camHeight, heat, width: ref.width, height: ref.height, prediction, targetPixels, evaluations, ...extra };
  }

  /** Gradient CAMs at the layer from the forward-and-backward runner, `runner.maxBatch` images per run. */
  private async gradientCams(runner: GradientRunner, method: GradientCamMethod, items: readonly ExplainItem[], options: ExplainImageOptions): Promise<ImageExplanation[]> {
    const out: ImageExplanation[] = [];
    const outputShape = scoreMapShape(runner.outputDims, this.input.layout);
    const seedLength = outputShape.channels * outputShape.height * outputShape.width;
    for (let k0 = 0; k0 < items.length; k0 += runner.maxBatch) {
      options.signal?.throwIfAborted();
      const chunk = items.slice(k0, k0 + runner.maxBatch);
      const xs = chunk.map((item) => preprocess(item.image, item.slice ?? 0, this.input));
      const inputs = new Float32Array(chunk.length * xs[0].length);
      xs.forEach((x, k) => inputs.set(x, k * x.length));
      let seeds: Float32Array | undefined;
      if (options.target === 'reference') {
        seeds = new Float32Array(chunk.length * seedLength);
        chunk.forEach((item, k) => {
          const ref = this.refSizeOf(item);
          if (!item.reference) throw new Error('explain: target `reference` needs the reference mask');
          writeMaskSeed(seeds!, outputShape, this.model.output, resizeMask(item.reference, ref.width, ref.height, outputShape.width, outputShape.height), k);
        });
      }
      const batch = await runner.run(inputs, chunk.length, seeds, [chunk.length, ...runner.outputDims.slice(1)]);
      const shape = scoreMapShape(batch.scores.dims, this.input.layout);
      const mapShape = featureMapShape(batch.dims, this.input.layout)!;
      const mapLength = mapShape.channels * mapShape.height * mapShape.width;
      const scoreLength = shape.channels * shape.height * shape.width;
      const seedData = seeds ?? batch.seed!;
      chunk.forEach((item, k) => {
        const { prediction } = this.predictionOf(batch.scores.data as Float32Array, shape, k * scoreLength, this.refSizeOf(item));
        const layout = this.input.layout;
        const map: FeatureMap = { ...mapShape, layout, data: batch.activations!.subarray(k * mapLength, (k + 1) * mapLength) };
        const grad: FeatureMap = { ...mapShape, layout, data: batch.gradients.subarray(k * mapLength, (k + 1) * mapLength) };
        const { cam, weights } = gradientCam(method, map, grad);
        const targetPixels = countSeed(seedData, k * scoreLength, scoreLength);
        out.push(this.finish(item, method, this.layer.name, cam, map.width, map.height, prediction, targetPixels, 0, { gradient: 'exact', ...(weights ? { weights } : {}) }));
      });
      options.onProgress?.(Math.min(items.length, k0 + chunk.length), items.length);
    }
    return out;
  }

  /** Saliency with respect to the input: the target fixed from one forward run, then the method's gradient runs. */
  private async inputGradient(method: InputGradientMethod, item: ExplainItem, options: ExplainImageOptions): Promise<ImageExplanation> {
    const x = preprocess(item.image, item.slice ?? 0, this.input);
    const head = await this.runHead(x);
    const shape = scoreMapShape(head.scores.dims, this.input.layout);
    const { prob, prediction } = this.predictionOf(head.scores.data as Float32Array, shape, 0, this.refSizeOf(item));
    const mask = this.targetMask(item, options, prob, shape);
    const seed = new Float32Array(shape.channels * shape.height * shape.width);
    writeMaskSeed(seed, shape, this.model.output, mask);
    let runner: GradientRunner;
    try {
      runner = await this.runner('input', 'input');
    } catch (err) {
      if (!(err instanceof GradientUnsupported) && !(err instanceof InputError)) throw err;
      throw this.noGradient(method, err.message);
    }
    const [h, w] = this.input.size;
    const s = await inputSaliency(method, runner, x, seed, [1, ...head.scores.dims.slice(1)], this.input, options.saliency ?? DEFAULT_SALIENCY, options.signal);
    return this.finish(item, method, this.head.inputNames[0], s.map, w, h, prediction, countSeed(seed, 0, seed.length), s.evaluations, { gradient: 'exact' });
  }

  /** Score-CAM, Eigen-CAM and Grad-CAM by finite differences: the head's activations, then the method's runs. */
  private async withoutGradients(item: ExplainItem, options: ExplainImageOptions): Promise<ImageExplanation> {
    const x = preprocess(item.image, item.slice ?? 0, this.input);
    const head = await this.runHead(x);
    const shape = scoreMapShape(head.scores.dims, this.input.layout);
    const { prob, prediction } = this.predictionOf(head.scores.data as Float32Array, shape, 0, this.refSizeOf(item));
    const region = regionOf(this.targetMask(item, options, prob, shape));
    const map = head.map;
    const method = options.method;
    const done = (cam: Float64Array, evaluations: number, extra: Partial<ImageExplanation>) =>
      this.finish(item, method, this.layer.name, cam, map.width, map.height, prediction, region.length, evaluations, extra);
    if (method === 'eigencam') {
      // Oriented by the model's own foreground probability at the layer's resolution.
      const e = eigenCam(map, resizeBilinear(prob, shape.width, shape.height, map.width, map.height));
      return done(e.cam, 0, { explainedVariance: e.explainedVariance });
    }
    if (region.length === 0) return done(new Float64Array(map.height * map.width), 0, { weights: new Float64Array(map.channels), ...(method === 'gradcam' ? { gradient: 'differences' as const } : {}) });
    if (method === 'gradcam') {
      const g = await gradCamWeights(map, this.evaluators.tailEvaluator(head, shape.width, shape.height, region), {
        relativeStep: options.relativeStep,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      return done(weightedChannelSum(map, g.weights), g.evaluations, { gradient: 'differences', weights: g.weights, epsilon: g.epsilon, relativeStep: g.relativeStep });
    }
    if (method !== 'scorecam') throw this.noGradient(method, 'exact gradients were turned off (`gradients: differences`)');
    const [mh, mw] = this.input.size;
    const s = await scoreCamWeights(map, x, { channels: this.input.channels, height: mh, width: mw, layout: this.input.layout }, await this.evaluators.modelEvaluator(region), {
      signal: options.signal,
      onProgress: options.onProgress,
    });
    return done(weightedChannelSum(map, s.weights), s.evaluations, { weights: s.weights, scores: s.scores });
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
}

/** Sample 0 of a batched output. */
function firstSample(t: ort.Tensor, n: number): ort.Tensor {
  if (n === 1) return t;
  const length = t.data.length / n;
  return new ort.Tensor('float32', (t.data as Float32Array).slice(0, length), [1, ...t.dims.slice(1)]);
}
