/**
 * Global-average-pooled activations of one layer, per image: the model's view of an image as a
 * vector of C numbers (what UMAP maps of model features are made of). One session of the graph
 * cut after the layer (only the nodes the layer needs), images in batches of
 * `runtime.batch` (one at a time where the graph fixes its batch size).
 */
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../config/types';
import { InputError } from '../findings';
import { preprocess, prepareModel, selectProvider, type ResolvedModelInput, type RunnerSettings } from '../inference';
import type { ImageVolume } from '../io/types';
import { pushAll } from '../util/arrays';
import { featureMapShape } from './featureMap';
import { analyzeGraph, type GraphTopology } from './graphTopology';
import { decodeModel, encodeModel, exposeTensors, NOT_CUTTABLE_CODE } from './graphSurgery';
import { resolveLayer } from './layerProbe';

/**
 * The model up to `layer` only: the nodes the layer depends on, the initializers they read, the
 * layer as the one output. onnxruntime does not drop nodes whose outputs nobody reads, so a
 * decoder after a bottleneck layer would run for nothing (half a U-Net's time).
 */
export function headGraph(source: onnx.IModelProto, topo: GraphTopology, layer: string, file = 'model'): onnx.IModelProto {
  const model = exposeTensors(source, [layer], file);
  const g = model.graph!;
  const keep = new Set<number>();
  const read = new Set<string>();
  const stack = [layer];
  while (stack.length > 0) {
    const t = stack.pop()!;
    read.add(t);
    const p = topo.producer.get(t);
    if (p === undefined || keep.has(p)) continue;
    keep.add(p);
    pushAll(stack, topo.inputsOf[p]);
  }
  return {
    ...model,
    graph: {
      ...g,
      node: topo.order.filter((i) => keep.has(i)).map((i) => topo.nodes[i]),
      initializer: (g.initializer ?? []).filter((t) => read.has(t.name ?? '')),
      input: (g.input ?? []).filter((v) => read.has(v.name ?? '')),
      output: (g.output ?? []).filter((o) => o.name === layer),
    },
  };
}

export class LayerFeatures {
  private constructor(
    readonly model: ModelConfig,
    readonly layer: string,
    readonly input: ResolvedModelInput,
    private readonly session: ort.InferenceSession,
    private readonly fixedBatch: number | undefined,
    /** Images per run. */
    readonly batch: number,
  ) {}

  /** `layer`: `auto` (the Grad-CAM rule) or a tensor name. */
  static async create(model: ModelConfig, bytes: Uint8Array, runtime: RunnerSettings, layer: string): Promise<LayerFeatures> {
    const { input, fixedBatch, outputName } = prepareModel(model, bytes, runtime);
    const proto = decodeModel(bytes, model.path);
    const topo = analyzeGraph(proto.graph!);
    const { name } = await resolveLayer(layer, { model, proto, topo, input, runtime, fixedBatch, outputName });
    const { session } = await selectProvider(runtime.provider, encodeModel(headGraph(proto, topo, name, model.path)), { threads: runtime.threads });
    return new LayerFeatures(model, name, input, session, fixedBatch, fixedBatch ?? Math.max(1, runtime.batch));
  }

  /** The model input of one image (C·H·W floats): taken while the image is decoded, so the image need not be kept. */
  prepare(image: ImageVolume, slice = 0): Float32Array {
    return preprocess(image, slice, this.input);
  }

  /** Pooled features of prepared inputs, in runs of `batch` images. */
  async pooledBatch(inputs: readonly Float32Array[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < inputs.length; start += this.batch) {
      const chunk = inputs.slice(start, start + this.batch);
      const n = this.fixedBatch ?? chunk.length;
      const sample = chunk[0].length;
      const data = new Float32Array(n * sample);
      chunk.forEach((x, i) => data.set(x, i * sample));
      for (const f of await this.runPooled(data, n)) if (out.length < start + chunk.length) out.push(f);
    }
    return out;
  }

  /** Mean activation per channel of slice `slice` of an image. */
  async pooled(image: ImageVolume, slice = 0): Promise<Float32Array> {
    return (await this.pooledBatch([this.prepare(image, slice)]))[0];
  }

  /** Runs n samples (one tensor) and pools each sample's feature map per channel. */
  private async runPooled(data: Float32Array, n: number): Promise<Float32Array[]> {
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
    const samples = Number(t.dims[0]);
    const out: Float32Array[] = [];
    for (let k = 0; k < Math.min(n, samples); k++) {
      const base = k * C * plane;
      const f = new Float32Array(C);
      for (let c = 0; c < C; c++) {
        let s = 0;
        if (this.input.layout === 'NCHW') for (let i = 0; i < plane; i++) s += values[base + c * plane + i];
        else for (let i = 0; i < plane; i++) s += values[base + i * C + c];
        f[c] = s / plane;
      }
      out.push(f);
    }
    return out;
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}
