/**
 * Reverse-mode differentiation of an ONNX graph, emitted as ONNX: the returned model runs the
 * forward pass and the backward pass in one session run and outputs the target tensor, the
 * activations we differentiate for and their gradients, for a whole batch at once.
 *
 * The scalar being differentiated is L = Σ seed ⊙ output, so the seed is ∂L/∂output: a graph
 * input (the caller writes the target region into it) or a tensor built inside the graph from the
 * output (a target that depends on the model's own prediction). Every node on a path from a
 * `wrt` tensor to the output gets its gradient rule applied in reverse topological order; a tensor
 * read by several nodes sums their contributions. Nothing else of the model changes (a MaxPool on
 * the path is asked for its Indices as a second output).
 */
import type { onnx } from 'onnx-proto';
import { DataType, int64ToNumber } from '../protoValues';
import { Emitter } from './emitter';
import { planGradient, type GradientPlan } from './plan';
import { ruleFor } from './rules';
import { GradientUnsupported, type AttributeReader, type FactTable, type RuleContext, type TensorFacts } from './types';

/** Lowest opset the emitted graph can be written in (Where, ConstantOfShape, Sign and Erf exist from 9). */
export const MIN_GRADIENT_OPSET = 9;

export type GradientSeed = { kind: 'input' } | { kind: 'graph'; build(e: Emitter, output: string): string };

export interface GradientModelOptions {
  wrt: readonly string[];
  output: string;
  /** Dims, batch axes and small values of the plan's `probe` tensors, from forward runs. */
  facts: FactTable;
  seed?: GradientSeed;
  /** A plan already made for these `wrt` and `output`. */
  plan?: GradientPlan;
}

export interface GradientModel {
  model: onnx.IModelProto;
  /** The graph input that takes ∂L/∂output, shaped like the output (absent for a seed built in the graph). */
  seedInput?: string;
  /** The graph output holding a seed built in the graph (so the caller sees the target it chose). */
  seedOutput?: string;
  output: string;
  /** Graph outputs holding the `wrt` tensors' values (graph inputs are not repeated), by `wrt` position. */
  activations: (string | undefined)[];
  /** Graph outputs holding ∂L/∂wrt, by `wrt` position. */
  gradients: string[];
}

export function modelOpset(model: onnx.IModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? int64ToNumber(entry.version as number) : 1;
}

function attributeReader(node: onnx.INodeProto): AttributeReader {
  const find = (name: string) => node.attribute?.find((a) => a.name === name);
  return {
    has: (name) => find(name) !== undefined,
    int: (name, fallback) => {
      const a = find(name);
      return a ? int64ToNumber(a.i as number) : fallback;
    },
    ints: (name, fallback) => {
      const a = find(name);
      return a?.ints ? a.ints.map((v) => int64ToNumber(v as number)) : [...fallback];
    },
    float: (name, fallback) => {
      const a = find(name);
      return a ? Number(a.f ?? 0) : fallback;
    },
    string: (name, fallback) => {
      const a = find(name);
      return a?.s ? new TextDecoder().decode(a.s) : fallback;
    },
  };
}

/** Dims and (for small tensors) values of the initializers, which the forward runs do not report. */
function initializerFacts(graph: onnx.IGraphProto): Map<string, TensorFacts> {
  const facts = new Map<string, TensorFacts>();
  for (const t of graph.initializer ?? []) {
    if (!t.name) continue;
    const dims = (t.dims ?? []).map((d) => int64ToNumber(d as number));
    const size = dims.reduce((a, b) => a * b, 1);
    let values: number[] | undefined;
    if (size <= 64) {
      if (t.dataType === DataType.INT64) {
        if (t.rawData?.length) {
          const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
          values = Array.from({ length: size }, (_, i) => Number(view.getBigInt64(i * 8, true)));
        } else values = (t.int64Data ?? []).map((v) => int64ToNumber(v as number));
      } else if (t.dataType === DataType.FLOAT) {
        if (t.rawData?.length) {
          const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
          values = Array.from({ length: size }, (_, i) => view.getFloat32(i * 4, true));
        } else values = [...(t.floatData ?? [])];
      }
    }
    facts.set(t.name, { dims, batched: dims.map(() => false), values });
  }
  return facts;
}

function allTensorNames(graph: onnx.IGraphProto): Set<string> {
  const names = new Set<string>();
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) if (v.name) names.add(v.name);
  for (const t of graph.initializer ?? []) if (t.name) names.add(t.name);
  for (const n of graph.node ?? []) for (const o of [...(n.input ?? []), ...(n.output ?? [])]) if (o) names.add(o);
  return names;
}

export function buildGradientModel(model: onnx.IModelProto, options: GradientModelOptions): GradientModel {
  const graph = model.graph;
  if (!graph) throw new Error('the model has no graph');
  const opset = modelOpset(model);
  if (opset < MIN_GRADIENT_OPSET) throw new GradientUnsupported('model', '', `opset ${opset} (gradients need opset ${MIN_GRADIENT_OPSET} or later; re-export the model)`);
  const plan = options.plan ?? planGradient(model, options.wrt, options.output);
  if (plan.unsupported.length > 0) throw plan.unsupported[0];

  // Nodes are copied so that a rule may extend one (MaxPool's Indices) without touching the caller's model.
  const nodes = (graph.node ?? []).map((n) => ({ ...n, output: [...(n.output ?? [])] }));
  const taken = allTensorNames(graph);
  const e = new Emitter(opset, taken);
  const initial = initializerFacts(graph);
  const factOf = (name: string): TensorFacts | undefined => options.facts.get(name) ?? initial.get(name);

  const contributions = new Map<string, string[]>();
  const contribute = (tensor: string, grad: string) => {
    const list = contributions.get(tensor);
    if (list) list.push(grad);
    else contributions.set(tensor, [grad]);
  };
  const total = new Map<string, string | undefined>();
  const gradientOf = (tensor: string): string | undefined => {
    if (!total.has(tensor)) {
      const list = contributions.get(tensor);
      total.set(tensor, list ? e.sum(list) : undefined);
    }
    return total.get(tensor);
  };

  let seedInput: string | undefined;
  let seedOutput: string | undefined;
  if (options.seed?.kind === 'graph') {
    seedOutput = options.seed.build(e, options.output);
    contribute(options.output, seedOutput);
  } else {
    seedInput = taken.has('medseg_grad_seed') ? e.fresh('seed') : 'medseg_grad_seed';
    contribute(options.output, seedInput);
  }

  for (let k = plan.nodes.length - 1; k >= 0; k--) {
    const node = nodes[plan.nodes[k]];
    const op = node.opType ?? '';
    const outputs = node.output.slice();
    const dY = outputs.map((o) => (o ? gradientOf(o) : undefined));
    if (dY.every((g) => g === undefined)) continue;
    const inputs = (node.input ?? []).map((i) => i ?? '');
    const needs = inputs.map((i) => i !== '' && plan.active.has(i));
    const unsupported = (reason: string): never => {
      throw new GradientUnsupported(op, node.name ?? '', reason);
    };
    const ctx: RuleContext = {
      node,
      op,
      inputs,
      outputs,
      dY,
      needs,
      e,
      attrs: attributeReader(node),
      dims: (t) => factOf(t)?.dims ?? unsupported(`the size of \`${t}\` is unknown`),
      batched: (t, axis) => factOf(t)?.batched[axis] ?? false,
      values: (t) => factOf(t)?.values ?? unsupported(`the value of \`${t}\` is not a constant`),
      dYOrZeros: (i) => dY[i] ?? e.zerosLike(outputs[i]),
      unsupported,
    };
    const rule = ruleFor(op) ?? unsupported('no gradient rule for this operator');
    const grads = rule(ctx);
    grads.forEach((g, i) => {
      if (g && needs[i]) contribute(inputs[i], g);
    });
  }

  const declared = (name: string): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: DataType.FLOAT } } });
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name));
  const activations = options.wrt.map((w) => (graphInputs.has(w) ? undefined : w));
  const gradients = options.wrt.map((w, i) => {
    const name = taken.has(`${w}__grad`) ? e.fresh(`grad_${i}`) : `${w}__grad`;
    e.nodeNamed('Identity', [gradientOf(w) ?? e.zerosLike(w)], name);
    return name;
  });
  const outputs = [options.output, ...activations.filter((a): a is string => a !== undefined), ...gradients, ...(seedOutput ? [seedOutput] : [])];
  const inputs = [...(graph.input ?? [])];
  if (seedInput) {
    const facts = factOf(options.output);
    const dim = facts?.dims.map((d, i) => (facts.batched[i] ? { dimParam: 'N' } : { dimValue: d }));
    inputs.push({ name: seedInput, type: { tensorType: { elemType: DataType.FLOAT, ...(dim ? { shape: { dim } } : {}) } } });
  }
  const gradientGraph: onnx.IGraphProto = {
    ...graph,
    node: [...nodes, ...e.nodes],
    initializer: [...(graph.initializer ?? []), ...e.initializers],
    input: inputs,
    output: outputs.map((name) => (graph.output ?? []).find((o) => o.name === name) ?? declared(name)),
  };
  return { model: { ...model, graph: gradientGraph }, seedInput, seedOutput, output: options.output, activations, gradients };
}
