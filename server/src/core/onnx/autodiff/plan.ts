/**
 * Which part of a graph a gradient runs through: the nodes that lie on a path from a tensor we
 * differentiate for (`wrt`) to the output, through tensors that carry a gradient. Comparisons,
 * shape arithmetic and index outputs (MaxPool's Indices, Dropout's mask) carry none, so a path
 * through them is not a path. The plan also names every tensor whose size or value a rule may
 * need, for the caller to measure in one forward run.
 */
import type { onnx } from 'onnx-proto';
import { analyzeGraph, type GraphTopology } from '../../explain/graphTopology';
import { DataType } from '../protoValues';
import { hasRule } from './rules';
import { GradientUnsupported } from './types';

/** Operators whose outputs carry no gradient (integer, boolean or piecewise-constant results). */
const NO_GRADIENT = new Set([
  'Shape', 'Size', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor',
  'ArgMax', 'ArgMin', 'NonZero', 'Floor', 'Ceil', 'Round', 'Sign', 'ConstantOfShape', 'Range', 'IsNaN', 'IsInf',
  'EyeLike', 'OneHot', 'NonMaxSuppression', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli',
]);

/** Operators of which only the first output carries a gradient. */
const FIRST_OUTPUT_ONLY = new Set(['MaxPool', 'Dropout', 'TopK', 'BatchNormalization', 'LayerNormalization']);

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

export interface GradientPlan {
  topology: GraphTopology;
  wrt: readonly string[];
  output: string;
  /** Node indices on a gradient path, producers first. */
  nodes: number[];
  /** Tensors that depend on a `wrt` tensor through gradient-carrying edges. */
  active: ReadonlySet<string>;
  /** Node outputs and graph inputs whose facts (dims, small integer values) the rules may ask for. */
  probe: string[];
  /** Nodes on the path whose operator has no gradient rule here. */
  unsupported: GradientUnsupported[];
}

function castCarriesGradient(node: onnx.INodeProto): boolean {
  const to = node.attribute?.find((a) => a.name === 'to');
  return to !== undefined && FLOAT_TYPES.has(Number(to.i ?? 0));
}

/** Output positions of a node that carry a gradient. */
function gradientOutputs(node: onnx.INodeProto): number[] {
  const op = node.opType ?? '';
  if (NO_GRADIENT.has(op) || (op === 'Cast' && !castCarriesGradient(node))) return [];
  const count = node.output?.length ?? 0;
  return FIRST_OUTPUT_ONLY.has(op) ? [0] : Array.from({ length: count }, (_, i) => i);
}

export function planGradient(model: onnx.IModelProto, wrt: readonly string[], output: string): GradientPlan {
  const graph = model.graph;
  if (!graph) throw new Error('the model has no graph');
  const topology = analyzeGraph(graph);
  const known = new Set<string>([...topology.producer.keys(), ...topology.graphInputs]);
  for (const t of [...wrt, output]) if (!known.has(t)) throw new Error(`the graph has no tensor \`${t}\``);

  // Forward: what depends on a wrt tensor through gradient-carrying outputs.
  const active = new Set<string>(wrt);
  const reached = new Set<number>();
  for (const i of topology.order) {
    const node = topology.nodes[i];
    if (!(node.input ?? []).some((name) => name && active.has(name))) continue;
    reached.add(i);
    for (const k of gradientOutputs(node)) {
      const o = node.output![k];
      if (o) active.add(o);
    }
  }
  // Backward: of those, the nodes the output is computed from through active tensors.
  const onPath = new Set<number>();
  const stack = [output];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || !active.has(t)) continue;
    seen.add(t);
    const p = topology.producer.get(t);
    if (p === undefined || !reached.has(p)) continue;
    onPath.add(p);
    for (const name of topology.nodes[p].input ?? []) if (name && active.has(name)) stack.push(name);
  }
  const nodes = topology.order.filter((i) => onPath.has(i));

  const probe = new Set<string>([...wrt, output]);
  const unsupported: GradientUnsupported[] = [];
  for (const i of nodes) {
    const node = topology.nodes[i];
    const op = node.opType ?? '';
    if (node.domain && node.domain !== 'ai.onnx') unsupported.push(new GradientUnsupported(op, node.name ?? '', `operator of domain \`${node.domain}\``));
    else if (!hasRule(op)) unsupported.push(new GradientUnsupported(op, node.name ?? '', 'no gradient rule for this operator'));
    for (const name of [...(node.input ?? []), ...(node.output ?? [])]) if (name && !topology.initializers.has(name)) probe.add(name);
  }
  return { topology, wrt, output, nodes, active, probe: [...probe], unsupported };
}
