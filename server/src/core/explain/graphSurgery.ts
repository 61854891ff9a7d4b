/**
 * Surgery on ONNX models, so that a gradient-free runtime can still explain them:
 * - `exposeTensors`: any intermediate tensor becomes an extra graph output (activations);
 * - `cutGraph`: the part of the graph downstream of a tensor (the tail) becomes a model of its own,
 *   whose inputs are that tensor plus every other tensor the tail reads (skip connections, shape
 *   tensors, the image itself). Running the full model with those tensors exposed and then the
 *   tail on them reproduces the full model's output.
 * Dependencies come from tensor names (graphTopology), never from the order of the nodes.
 */
import { onnx } from 'onnx-proto';
import { InputError } from '../findings';
import { int64ToNumber } from '../onnx';
import { pushAll } from '../util/arrays';
import { analyzeGraph, constantNodes, downstreamNodes, type GraphTopology } from './graphTopology';

export const UNKNOWN_TENSOR_CODE = 'explain/unknown-tensor';
export const NOT_CUTTABLE_CODE = 'explain/not-cuttable';

/** Decodes model bytes; `file` names the model in errors. */
export function decodeModel(bytes: Uint8Array, file = 'model bytes'): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new InputError(file, `${file} is not a readable ONNX model (${(err as Error).message}). Re-export the model.`, 'model/unreadable');
  }
  if (!model.graph) throw new InputError(file, `${file} is not a readable ONNX model: it has no graph. Re-export the model.`, 'model/unreadable');
  return model;
}

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

function graphOf(model: onnx.IModelProto): onnx.IGraphProto {
  if (!model.graph) throw new Error('the model has no graph');
  return model.graph;
}

/** Every tensor name of the main graph: inputs, initializers and node outputs. */
export function tensorNames(model: onnx.IModelProto): Set<string> {
  const g = graphOf(model);
  const names = new Set<string>();
  for (const v of g.input ?? []) if (v.name) names.add(v.name);
  for (const t of g.initializer ?? []) if (t.name) names.add(t.name);
  for (const n of g.node ?? []) for (const o of n.output ?? []) if (o) names.add(o);
  return names;
}

function unknownTensor(file: string, name: string): InputError {
  return new InputError(file, `${file} has no tensor named \`${name}\`; name a node output of the model (\`medseg explain --list-layers\` lists the candidates).`, UNKNOWN_TENSOR_CODE);
}

/** Declared element type of a tensor (graph input/output or value_info), if the file says. */
function declaredType(g: onnx.IGraphProto, name: string): number | undefined {
  for (const list of [g.input, g.output, g.valueInfo]) {
    const v = (list ?? []).find((x) => x.name === name);
    const t = v?.type?.tensorType?.elemType;
    if (t) return t;
  }
  return undefined;
}

/**
 * A copy of the model whose graph also outputs `tensors` (after its own outputs, in the order
 * given; names that are already outputs are not repeated). The element type is declared when the
 * file knows it; the shape is left to onnxruntime's inference.
 */
export function exposeTensors(model: onnx.IModelProto, tensors: readonly string[], file = 'model'): onnx.IModelProto {
  const g = graphOf(model);
  const known = tensorNames(model);
  const outputs = [...(g.output ?? [])];
  const present = new Set(outputs.map((o) => o.name));
  for (const name of tensors) {
    if (!known.has(name)) throw unknownTensor(file, name);
    if (present.has(name)) continue;
    present.add(name);
    const elemType = declaredType(g, name);
    outputs.push(elemType ? { name, type: { tensorType: { elemType } } } : { name });
  }
  return { ...model, graph: { ...g, output: outputs } };
}

export interface GraphCut {
  /** The tail: a model whose inputs are `[at, ...feeds]` and whose outputs are `outputs`. */
  model: onnx.IModelProto;
  at: string;
  /** Other tensors the tail reads, to be taken from a run of the full model (or the model's inputs). */
  feeds: string[];
  outputs: string[];
  /** Tail node count, for descriptions. */
  nodeCount: number;
}

export interface CutOptions {
  /** Outputs the tail computes (default: the model's first output). */
  outputs?: readonly string[];
  /** Element types (`TensorProto.DataType`) of tail inputs the file does not declare; default float. */
  elementTypes?: Readonly<Record<string, number>>;
  /** Names the model in errors. */
  file?: string;
  /** A topology already computed for this model. */
  topology?: GraphTopology;
}

/**
 * Cuts the graph at tensor `at`. The tail holds the nodes that lie downstream of `at` and lead to
 * the outputs, plus the input-independent nodes they read (Constant nodes, arithmetic on
 * weights), so that every fed tensor is a per-image value. Tensors read by the tail but computed
 * upstream (skip connections, Shape of an encoder tensor) become inputs, as do graph inputs the
 * tail reads directly. Tail inputs carry an element type but no shape, so the tail takes any
 * batch size its ops allow.
 */
export function cutGraph(model: onnx.IModelProto, at: string, options: CutOptions = {}): GraphCut {
  const file = options.file ?? 'model';
  const g = graphOf(model);
  const topo = options.topology ?? analyzeGraph(g);
  const outputs = [...(options.outputs ?? topo.graphOutputs.slice(0, 1))];
  if (!tensorNames(model).has(at)) throw unknownTensor(file, at);
  if (!topo.producer.has(at)) {
    const what = topo.initializers.has(at) ? 'a weight (initializer)' : 'a graph input';
    throw new InputError(file, `Cannot explain at \`${at}\` of ${file}: it is ${what}, not a feature map computed by the network; name a node output.`, NOT_CUTTABLE_CODE);
  }
  if (outputs.includes(at)) {
    throw new InputError(file, `Cannot explain at \`${at}\` of ${file}: it is the model's output; name a feature map before it.`, NOT_CUTTABLE_CODE);
  }
  const downstream = downstreamNodes(topo, at);
  const constant = constantNodes(topo);

  const tailNodes = new Set<number>();
  const feeds: string[] = [];
  const usedInitializers = new Set<string>();
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t === at) continue;
    if (topo.initializers.has(t)) {
      usedInitializers.add(t);
      continue;
    }
    const p = topo.producer.get(t);
    if (p !== undefined && (downstream.has(p) || constant.has(p))) {
      if (!tailNodes.has(p)) {
        tailNodes.add(p);
        pushAll(stack, topo.inputsOf[p]);
      }
      continue;
    }
    feeds.push(t);
  }
  for (const o of outputs) {
    const p = topo.producer.get(o);
    if (p === undefined || !downstream.has(p)) {
      throw new InputError(file, `Cannot explain at \`${at}\` of ${file}: the output \`${o}\` does not depend on it; name a feature map the output is computed from.`, NOT_CUTTABLE_CODE);
    }
  }
  feeds.sort();

  const typeOf = (name: string) => options.elementTypes?.[name] ?? declaredType(g, name) ?? onnx.TensorProto.DataType.FLOAT;
  const inputs: onnx.IValueInfoProto[] = [at, ...feeds].map((name) => ({ name, type: { tensorType: { elemType: typeOf(name) } } }));
  const initializer = (g.initializer ?? []).filter((t) => usedInitializers.has(t.name ?? ''));
  // Before ir_version 4, every initializer also had to be declared as a graph input.
  if (int64ToNumber(model.irVersion) < 4) {
    for (const v of g.input ?? []) if (v.name && usedInitializers.has(v.name)) inputs.push(v);
  }
  const tail: onnx.IGraphProto = {
    name: `${g.name ?? 'graph'}_from_${at}`,
    node: topo.order.filter((i) => tailNodes.has(i)).map((i) => topo.nodes[i]),
    initializer,
    input: inputs,
    output: outputs.map((name) => ({ name, type: { tensorType: { elemType: typeOf(name) } } })),
  };
  return { model: { ...model, graph: tail }, at, feeds, outputs, nodeCount: tailNodes.size };
}
