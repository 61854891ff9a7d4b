/**
 * Which tensors can be explained, and which one `layer: auto` takes.
 *
 * The rule for `auto`: among the feature maps that the model's segmentation output is computed from
 * (float tensors of shape [1, C, h, w] with h, w ≥ 2, produced by a node, not an output), take
 * the one with the smallest spatial size h·w (the deepest level: a U-Net's bottleneck, the
 * output-stride level of a DeepLab), then the most channels C, then the longest chain of nodes
 * from the input (the last activation at that level, after its ReLU, rather than the conv before
 * it), then the name. A network that never downsamples thus gets its widest late feature map.
 */
import type { TensorDim } from '../onnx';
import { featureMapShape } from './featureMap';
import { upstreamNodes, type GraphTopology } from './graphTopology';

export const AUTO_LAYER_RULE =
  'the smallest spatial size (deepest level), then the most channels, then the most nodes from the input, among float [1, C, h, w] feature maps (h, w ≥ 2) the output is computed from';

export interface LayerCandidate {
  name: string;
  /** Operator that produces it (`Relu`, `Conv`, …). */
  op: string;
  channels: number;
  height: number;
  width: number;
  /** Longest chain of nodes from the input to this tensor. */
  depth: number;
}

export interface ProbedTensor {
  dims: readonly TensorDim[];
  /** onnxruntime's element type name (`float32`, `int64`, …). */
  type: string;
}

/** Feature maps the segmentation output (default: the graph's first) depends on, in order of depth (then name). */
export function layerCandidates(topo: GraphTopology, shapes: ReadonlyMap<string, ProbedTensor>, layout: 'NCHW' | 'NHWC', output: string | undefined = topo.graphOutputs[0]): LayerCandidate[] {
  if (output === undefined) return [];
  const feeding = upstreamNodes(topo, [output]);
  const outputs = new Set(topo.graphOutputs);
  const candidates: LayerCandidate[] = [];
  for (const i of feeding) {
    const node = topo.nodes[i];
    for (const name of node.output ?? []) {
      if (!name || outputs.has(name)) continue;
      const probed = shapes.get(name);
      if (!probed || probed.type !== 'float32') continue;
      const dims = probed.dims.map((d) => (typeof d === 'number' ? d : NaN));
      const shape = featureMapShape(dims, layout);
      if (!shape || dims[0] !== 1 || !(shape.height >= 2 && shape.width >= 2 && shape.channels >= 1)) continue;
      candidates.push({ name, op: node.opType ?? '', ...shape, depth: topo.depth[i] });
    }
  }
  return candidates.sort((a, b) => a.depth - b.depth || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function chooseAutoLayer(candidates: readonly LayerCandidate[]): LayerCandidate | undefined {
  let best: LayerCandidate | undefined;
  for (const c of candidates) {
    if (!best) {
      best = c;
      continue;
    }
    const area = c.height * c.width - best.height * best.width;
    if (area < 0 || (area === 0 && (c.channels > best.channels || (c.channels === best.channels && (c.depth > best.depth || (c.depth === best.depth && c.name < best.name)))))) best = c;
  }
  return best;
}
