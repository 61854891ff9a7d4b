/**
 * A float64 forward evaluator of ONNX graphs, written from the operator definitions and checked
 * op by op against onnxruntime (test/core/onnx/reference.test.ts). It is the independent
 * reference that gradient tests take finite differences of: onnxruntime's CPU build has no
 * float64 kernels for most of these ops. Test-only; nothing here is shipped.
 *
 * Nodes run in dependency order (real exports are not topologically sorted), the opset of the
 * default domain selects each operator's signature, and any op outside the supported set throws.
 */
import type { onnx } from 'onnx-proto';
import { analyzeGraph, downstreamNodes, upstreamNodes, type GraphTopology } from '../../../../server/src/core/explain/graphTopology';
import { activationOps } from './activation';
import { convOps } from './conv';
import { elementwiseOps } from './elementwise';
import { indexingOps } from './indexing';
import { matmulOps } from './matmul';
import { normalizationOps } from './normalization';
import type { OpKernel } from './op';
import { poolOps } from './pool';
import { Attributes, tensorFromProto } from './proto';
import { reduceOps } from './reduce';
import { resizeOps } from './resize';
import { shapeOps } from './shape';
import { sizeOf, type RefTensor } from './tensor';

export type { RefTensor } from './tensor';

const kernels: Record<string, OpKernel> = {
  ...activationOps,
  ...convOps,
  ...elementwiseOps,
  ...indexingOps,
  ...matmulOps,
  ...normalizationOps,
  ...poolOps,
  ...reduceOps,
  ...resizeOps,
  ...shapeOps,
};

/** The op types the evaluator knows, for tests and error messages. */
export const supportedOps: readonly string[] = Object.keys(kernels).sort();

export interface EvaluateOptions {
  /** Tensors that take the given value instead of being computed (or fed). */
  overrides?: Record<string, RefTensor>;
}

function defaultOpset(model: onnx.IModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry) throw new Error('the model imports no default-domain opset');
  return Number(entry.version);
}

function checkShape(name: string, t: RefTensor): void {
  if (t.data.length !== sizeOf(t.dims)) throw new Error(`tensor ${name}: ${t.data.length} values for dims [${t.dims.join(',')}]`);
}

/** A model prepared once (topology, decoded initializers) for many evaluations. */
export class ReferenceGraph {
  readonly topology: GraphTopology;
  readonly opset: number;
  private readonly initializers = new Map<string, RefTensor>();

  constructor(readonly model: onnx.IModelProto) {
    if (!model.graph) throw new Error('the model has no graph');
    this.topology = analyzeGraph(model.graph);
    this.opset = defaultOpset(model);
    for (const t of model.graph.initializer ?? []) if (t.name) this.initializers.set(t.name, tensorFromProto(t));
  }

  /** The nodes `outputs` depend on, in an order that can run. */
  nodesFor(outputs: readonly string[]): number[] {
    const needed = upstreamNodes(this.topology, outputs);
    return this.topology.order.filter((i) => needed.has(i));
  }

  /** The nodes a change of `tensor` reaches on its way to `output`, in an order that can run. */
  nodesBetween(tensor: string, output: string): number[] {
    const down = downstreamNodes(this.topology, tensor);
    const up = upstreamNodes(this.topology, [output]);
    return this.topology.order.filter((i) => down.has(i) && up.has(i));
  }

  /** Initializers, then feeds, then overrides: the values a run starts from. */
  startValues(feeds: Record<string, RefTensor>, overrides: Record<string, RefTensor> = {}): Map<string, RefTensor> {
    const values = new Map(this.initializers);
    for (const [name, t] of [...Object.entries(feeds), ...Object.entries(overrides)]) {
      checkShape(name, t);
      values.set(name, t);
    }
    return values;
  }

  /** Runs `nodes` in the given order, reading and writing `values`; `fixed` tensors are never recomputed. */
  runNodes(nodes: readonly number[], values: Map<string, RefTensor>, fixed: ReadonlySet<string> = new Set()): void {
    for (const i of nodes) {
      const node = this.topology.nodes[i];
      const outputNames = node.output ?? [];
      if (outputNames.every((o) => !o || fixed.has(o))) continue;
      const label = `${node.opType} node ${node.name || i}`;
      if (node.domain && node.domain !== 'ai.onnx') throw new Error(`${label}: domain ${node.domain} is not supported by the reference evaluator`);
      const kernel = kernels[node.opType ?? ''];
      if (!kernel) throw new Error(`${label}: op ${node.opType} is not supported by the reference evaluator`);
      const inputs = (node.input ?? []).map((name) => {
        if (!name) return undefined;
        const t = values.get(name);
        if (!t) throw new Error(`${label}: input ${name} has no value (is it fed?)`);
        return t;
      });
      const result = kernel({ node, opset: this.opset, attrs: new Attributes(node), inputs, outputCount: outputNames.length });
      const outputs = Array.isArray(result) ? result : [result];
      outputNames.forEach((name, k) => {
        if (!name || fixed.has(name)) return;
        if (!outputs[k]) throw new Error(`${label}: output ${k} (${name}) is not computed by the reference evaluator`);
        values.set(name, outputs[k]);
      });
    }
  }

  /** Every tensor the requested outputs (default: the graph outputs) depend on, by name. */
  evaluate(feeds: Record<string, RefTensor>, outputs?: readonly string[], options: EvaluateOptions = {}): Map<string, RefTensor> {
    const wanted = outputs ?? this.topology.graphOutputs;
    const overrides = options.overrides ?? {};
    const values = this.startValues(feeds, overrides);
    this.runNodes(this.nodesFor(wanted), values, new Set(Object.keys(overrides)));
    for (const name of wanted) if (!values.has(name)) throw new Error(`tensor ${name} is neither fed nor computed by the graph`);
    return values;
  }
}

/**
 * Runs the main graph in float64 on `feeds` and returns the requested tensors (default: the
 * graph outputs). Any tensor, inner ones included, can be asked for, or fixed by an override.
 */
export function evaluateReference(
  model: onnx.IModelProto,
  feeds: Record<string, RefTensor>,
  outputs?: string[],
  options: EvaluateOptions = {},
): Record<string, RefTensor> {
  const graph = new ReferenceGraph(model);
  const wanted = outputs ?? graph.topology.graphOutputs;
  const values = graph.evaluate(feeds, wanted, options);
  return Object.fromEntries(wanted.map((name) => [name, values.get(name)!]));
}
