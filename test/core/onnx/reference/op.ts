/** What an operator kernel of the reference evaluator receives, and the shape of a kernel. */
import type { onnx } from 'onnx-proto';
import type { Attributes } from './proto';
import type { RefTensor } from './tensor';

export interface OpContext {
  node: onnx.INodeProto;
  /** The model's default-domain opset version: it selects the operator's signature. */
  opset: number;
  attrs: Attributes;
  /** Inputs in order; an omitted optional input (empty name, or past the list) is undefined. */
  inputs: (RefTensor | undefined)[];
  /** How many outputs the node names: optional outputs are computed only when asked for. */
  outputCount: number;
}

/** Returns the node's outputs in order (a single tensor for one output). */
export type OpKernel = (ctx: OpContext) => RefTensor | RefTensor[];

export function requireInput(ctx: OpContext, index: number): RefTensor {
  const t = ctx.inputs[index];
  if (!t) throw new Error(`${ctx.node.opType} (node ${ctx.node.name || '?'}): input ${index} is required`);
  return t;
}

/** An optional input that is absent, or present but empty (how opset 11/12 Resize omits scales). */
export function optionalInput(ctx: OpContext, index: number): RefTensor | undefined {
  const t = ctx.inputs[index];
  return t && t.data.length > 0 ? t : undefined;
}

export function unsupported(ctx: OpContext, what: string): never {
  throw new Error(`${ctx.node.opType} (node ${ctx.node.name || '?'}): ${what} is not supported by the reference evaluator`);
}
