/**
 * Who produces and who consumes each tensor of an ONNX graph, and an order in which its nodes can
 * run. Real exports are not always topologically sorted, so nothing here trusts the order of
 * `graph.node`: dependencies are read from tensor names alone.
 */
import type { onnx } from 'onnx-proto';
import { pushAll } from '../util/arrays';

export interface GraphTopology {
  nodes: readonly onnx.INodeProto[];
  /** Tensor name → index of the node that produces it. */
  producer: ReadonlyMap<string, number>;
  /** Tensor name → indices of the nodes that read it (explicitly or from a subgraph). */
  consumers: ReadonlyMap<string, readonly number[]>;
  /** Per node: every outer tensor it reads, subgraph references included, empty names dropped. */
  inputsOf: readonly (readonly string[])[];
  initializers: ReadonlySet<string>;
  /** Graph inputs that are not initializers (what a caller feeds). */
  graphInputs: ReadonlySet<string>;
  graphOutputs: readonly string[];
  /** Node indices in an order where every node runs after the producers of its inputs. */
  order: readonly number[];
  /** Per node: the longest chain of nodes from a graph input to it (1 for a node reading only inputs). */
  depth: readonly number[];
}

/**
 * Tensors a subgraph (If/Loop/Scan body) reads from the enclosing scope: names used inside that
 * are neither produced, declared as inputs, nor initialised inside it.
 */
function outerReferences(graph: onnx.IGraphProto, into: Set<string>): void {
  const local = new Set<string>();
  for (const v of graph.input ?? []) if (v.name) local.add(v.name);
  for (const t of graph.initializer ?? []) if (t.name) local.add(t.name);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) local.add(o);
  for (const n of graph.node ?? []) {
    const inner = new Set<string>();
    for (const i of n.input ?? []) if (i) inner.add(i);
    for (const a of n.attribute ?? []) {
      if (a.g) outerReferences(a.g, inner);
      for (const g of a.graphs ?? []) outerReferences(g, inner);
    }
    for (const name of inner) if (!local.has(name)) into.add(name);
  }
  for (const v of graph.output ?? []) if (v.name && !local.has(v.name)) into.add(v.name);
}

export function nodeInputs(node: onnx.INodeProto): string[] {
  const names = new Set<string>();
  for (const i of node.input ?? []) if (i) names.add(i);
  for (const a of node.attribute ?? []) {
    if (a.g) outerReferences(a.g, names);
    for (const g of a.graphs ?? []) outerReferences(g, names);
  }
  return [...names];
}

export function analyzeGraph(graph: onnx.IGraphProto): GraphTopology {
  const nodes = graph.node ?? [];
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? '').filter(Boolean));
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name ?? '').filter((n) => n && !initializers.has(n)));
  const graphOutputs = (graph.output ?? []).map((v) => v.name ?? '').filter(Boolean);
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output ?? []) {
      if (!o) continue;
      if (producer.has(o)) throw new Error(`the graph is not valid ONNX: tensor ${o} is produced by two nodes`);
      producer.set(o, i);
    }
  });
  const inputsOf = nodes.map(nodeInputs);
  const consumers = new Map<string, number[]>();
  inputsOf.forEach((names, i) => {
    for (const name of names) {
      let list = consumers.get(name);
      if (!list) consumers.set(name, (list = []));
      list.push(i);
    }
  });

  // Kahn's algorithm; ties broken by the index in the file, so the order is stable.
  const pending = inputsOf.map((names) => names.filter((n) => producer.has(n)).length);
  const ready: number[] = [];
  pending.forEach((p, i) => p === 0 && ready.push(i));
  const order: number[] = [];
  const depth = new Array<number>(nodes.length).fill(1);
  while (ready.length > 0) {
    ready.sort((a, b) => b - a);
    const i = ready.pop()!;
    order.push(i);
    for (const name of inputsOf[i]) {
      const p = producer.get(name);
      if (p !== undefined) depth[i] = Math.max(depth[i], depth[p] + 1);
    }
    for (const o of nodes[i].output ?? []) {
      for (const c of consumers.get(o) ?? []) {
        if (--pending[c] === 0) ready.push(c);
      }
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.map((n, i) => (order.includes(i) ? undefined : n.name || n.opType)).filter(Boolean);
    throw new Error(`the graph has a cycle through ${stuck.slice(0, 5).join(', ')}: it is not valid ONNX`);
  }
  return { nodes, producer, consumers, inputsOf, initializers, graphInputs, graphOutputs, order, depth };
}

/** Every node whose output depends on `tensor` (the nodes a change of `tensor` reaches). */
export function downstreamNodes(topo: GraphTopology, tensor: string): Set<number> {
  const reached = new Set<number>();
  const stack = [...(topo.consumers.get(tensor) ?? [])];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (reached.has(i)) continue;
    reached.add(i);
    for (const o of topo.nodes[i].output ?? []) if (o) pushAll(stack, topo.consumers.get(o) ?? []);
  }
  return reached;
}

/** Every node the given tensors are computed from (their transitive producers). */
export function upstreamNodes(topo: GraphTopology, tensors: readonly string[]): Set<number> {
  const reached = new Set<number>();
  const stack = tensors.map((t) => topo.producer.get(t)).filter((i): i is number => i !== undefined);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (reached.has(i)) continue;
    reached.add(i);
    for (const name of topo.inputsOf[i]) {
      const p = topo.producer.get(name);
      if (p !== undefined) stack.push(p);
    }
  }
  return reached;
}

/**
 * Nodes whose value does not depend on any graph input (Constant nodes, arithmetic on weights):
 * they can be recomputed anywhere, so a cut graph keeps them instead of feeding their values.
 */
export function constantNodes(topo: GraphTopology): Set<number> {
  const constant = new Set<number>();
  const constantTensors = new Set(topo.initializers);
  for (const i of topo.order) {
    if (topo.inputsOf[i].every((name) => constantTensors.has(name))) {
      constant.add(i);
      for (const o of topo.nodes[i].output ?? []) if (o) constantTensors.add(o);
    }
  }
  return constant;
}
