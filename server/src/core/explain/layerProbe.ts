/**
 * Which tensor a `layer` setting means. `auto` needs every feature map's shape: one run on a blank
 * input with all node outputs exposed (onnxruntime's own shape inference, so no op is left out),
 * then the rule of layers.ts.
 */
import * as ort from 'onnxruntime-node';
import type { onnx } from 'onnx-proto';
import type { ModelConfig } from '../config/types';
import { InputError } from '../findings';
import { selectProvider, type ResolvedModelInput, type RunnerSettings } from '../inference';
import type { GraphTopology } from './graphTopology';
import { encodeModel, exposeTensors, NOT_CUTTABLE_CODE } from './graphSurgery';
import { AUTO_LAYER_RULE, chooseAutoLayer, layerCandidates, type LayerCandidate, type ProbedTensor } from './layers';
import { runError } from './sessionErrors';

export interface ModelGraph {
  model: ModelConfig;
  proto: onnx.IModelProto;
  topo: GraphTopology;
  input: ResolvedModelInput;
  runtime: RunnerSettings;
  fixedBatch: number | undefined;
  /** The graph output that is the segmentation: candidates are the feature maps it is computed from. */
  outputName: string;
}

/** The tensor a `layer` setting names: itself, or for `auto` the rule's choice among the probed candidates. */
export async function resolveLayer(layer: string, g: ModelGraph): Promise<{ name: string; candidates?: LayerCandidate[] }> {
  if (layer !== 'auto') return { name: layer };
  const candidates = await probeCandidates(g.proto, g.topo, g.input, g.runtime, g.fixedBatch, g.model, g.outputName);
  const chosen = chooseAutoLayer(candidates);
  if (!chosen) {
    const file = g.model.path ?? `model ${g.model.name}`;
    throw new InputError(file, `Model \`${g.model.name}\` has no feature map to explain (${AUTO_LAYER_RULE}: none found); name a tensor in \`explain.gradcam.layer\`.`, NOT_CUTTABLE_CODE);
  }
  return { name: chosen.name, candidates };
}

/** Every node output's shape from one blank run, turned into layer candidates. */
export async function probeCandidates(
  proto: onnx.IModelProto,
  topo: GraphTopology,
  input: ResolvedModelInput,
  runtime: RunnerSettings,
  fixedBatch: number | undefined,
  model: ModelConfig,
  outputName: string,
): Promise<LayerCandidate[]> {
  const names = new Set<string>();
  for (const n of topo.nodes) for (const o of n.output ?? []) if (o && !topo.graphOutputs.includes(o)) names.add(o);
  const exposed = exposeTensors(proto, [...names], model.path);
  const { session } = await selectProvider(runtime.provider, encodeModel(exposed), { threads: runtime.threads });
  try {
    const n = fixedBatch ?? 1;
    const [h, w] = input.size;
    const dims = input.layout === 'NCHW' ? [n, input.channels, h, w] : [n, h, w, input.channels];
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(n * input.channels * h * w), dims) });
    } catch (err) {
      throw runError(model, 'the run that lists its feature maps', err);
    }
    const shapes = new Map<string, ProbedTensor>();
    for (const [name, value] of Object.entries(out)) {
      const t = value as ort.Tensor;
      shapes.set(name, { dims: fixedBatch && fixedBatch !== 1 ? [1, ...t.dims.slice(1)] : [...t.dims], type: t.type });
    }
    return layerCandidates(topo, shapes, input.layout, outputName);
  } finally {
    await session.release();
  }
}
