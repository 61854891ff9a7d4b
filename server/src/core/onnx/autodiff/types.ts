import type { onnx } from 'onnx-proto';
import type { Emitter } from './emitter';

/**
 * What a forward run told about a tensor. Gradient rules need static sizes (ConvTranspose's
 * output padding, Resize's interpolation weights, Concat's offsets) and the values of small
 * integer tensors (Slice bounds, Pad widths) that real exports often compute from shapes at run
 * time; a run at batch 1 and one at batch 2 tell which axes follow the batch size, so the gradient
 * graph takes any batch the model takes.
 */
export interface TensorFacts {
  /** Dims in a run at batch 1. */
  dims: readonly number[];
  /** Per axis: the dim follows the batch size (all false when the model's batch is fixed). */
  batched: readonly boolean[];
  /** Values of a small integer tensor, when they do not change with the batch size. */
  values?: readonly number[];
}

export type FactTable = ReadonlyMap<string, TensorFacts>;

/** An operator whose gradient the differentiator cannot write; the caller falls back. */
export class GradientUnsupported extends Error {
  constructor(
    readonly op: string,
    readonly node: string,
    readonly reason: string,
  ) {
    super(`${op}${node ? ` (${node})` : ''}: ${reason}`);
    this.name = 'GradientUnsupported';
  }
}

export interface AttributeReader {
  int(name: string, fallback: number): number;
  ints(name: string, fallback: readonly number[]): number[];
  float(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
  has(name: string): boolean;
}

/** What a gradient rule sees of one node. */
export interface RuleContext {
  readonly node: onnx.INodeProto;
  readonly op: string;
  /** Inputs as the node names them ('' = an omitted optional input). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** The incoming gradient of each output; undefined where none flows (treated as zeros). */
  readonly dY: readonly (string | undefined)[];
  /** Whether each input needs a gradient (it depends on a tensor we differentiate for). */
  readonly needs: readonly boolean[];
  readonly e: Emitter;
  readonly attrs: AttributeReader;
  /** Static dims (from the batch-1 run); throws GradientUnsupported when unknown. */
  dims(tensor: string): readonly number[];
  /** Whether an axis of a tensor follows the batch size. */
  batched(tensor: string, axis: number): boolean;
  /** Values of a constant or shape-derived integer tensor; throws GradientUnsupported when unknown. */
  values(tensor: string): readonly number[];
  /** The gradient of output `k`, zeros shaped like that output where none flows. */
  dYOrZeros(k: number): string;
  unsupported(reason: string): never;
}

/** Gradients of the node's inputs (by position), undefined where none is needed or defined. */
export type GradientRule = (ctx: RuleContext) => (string | undefined)[];
