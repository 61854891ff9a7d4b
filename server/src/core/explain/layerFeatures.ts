/**
 * Global-average-pooled activations of one layer, per image: the model's view of an image as a
 * vector of C numbers (what UMAP maps of model features are made of). One session with the
 * layer exposed as an extra output.
 */
import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../config/types';
import { InputError } from '../findings';
import { preprocess, prepareModel, selectProvider, type ResolvedModelInput, type RunnerSettings } from '../inference';
import type { ImageVolume } from '../io/types';
import { featureMapShape } from './featureMap';
import { analyzeGraph } from './graphTopology';
import { decodeModel, encodeModel, exposeTensors, NOT_CUTTABLE_CODE } from './graphSurgery';
import { resolveLayer } from './layerProbe';

export class LayerFeatures {
  private constructor(
    readonly model: ModelConfig,
    readonly layer: string,
    readonly input: ResolvedModelInput,
    private readonly session: ort.InferenceSession,
    private readonly fixedBatch: number | undefined,
  ) {}

  /** `layer`: `auto` (the Grad-CAM rule) or a tensor name. */
  static async create(model: ModelConfig, bytes: Uint8Array, runtime: RunnerSettings, layer: string): Promise<LayerFeatures> {
    const { input, fixedBatch, outputName } = prepareModel(model, bytes, runtime);
    const proto = decodeModel(bytes, model.path);
    const topo = analyzeGraph(proto.graph!);
    const { name } = await resolveLayer(layer, { model, proto, topo, input, runtime, fixedBatch, outputName });
    const exposed = exposeTensors(proto, [name], model.path);
    const { session } = await selectProvider(runtime.provider, encodeModel(exposed), { threads: runtime.threads });
    return new LayerFeatures(model, name, input, session, fixedBatch);
  }

  /** Mean activation per channel of slice `slice` of an image. */
  async pooled(image: ImageVolume, slice = 0): Promise<Float32Array> {
    const x = preprocess(image, slice, this.input);
    const n = this.fixedBatch ?? 1;
    const data = new Float32Array(n * x.length);
    data.set(x);
    const [h, w] = this.input.size;
    const dims = this.input.layout === 'NCHW' ? [n, this.input.channels, h, w] : [n, h, w, this.input.channels];
    let t: ort.Tensor;
    try {
      t = (await this.session.run({ [this.session.inputNames[0]]: new ort.Tensor('float32', data, dims) }))[this.layer] as ort.Tensor;
    } catch (err) {
      throw new InputError(this.model.path ?? this.model.name, `Model \`${this.model.name}\` failed to run: ${(err as Error).message.split('\n')[0]}`, 'explain/run-failed');
    }
    const shape = featureMapShape(t.dims, this.input.layout);
    if (!shape || t.type !== 'float32') {
      throw new InputError(this.model.path ?? this.model.name, `Model \`${this.model.name}\`: layer \`${this.layer}\` is ${t.type}[${t.dims.join(',')}], not a feature map [N, C, h, w].`, NOT_CUTTABLE_CODE);
    }
    const { channels: C, height, width } = shape;
    const plane = height * width;
    const values = t.data as Float32Array;
    const out = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      let s = 0;
      if (this.input.layout === 'NCHW') for (let i = 0; i < plane; i++) s += values[c * plane + i];
      else for (let i = 0; i < plane; i++) s += values[i * C + c];
      out[c] = s / plane;
    }
    return out;
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}
