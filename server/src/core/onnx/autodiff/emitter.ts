/**
 * Appends the nodes of a gradient graph to a model, in the model's own opset. Operators whose
 * signature changed between opsets (axes as an attribute or an input, Split's sizes) are written
 * the way the model's opset wants them, so the combined graph loads wherever the model loads.
 * Names are prefixed so that they never collide with the model's.
 */
import type { onnx } from 'onnx-proto';
import { AttrType, DataType, floatTensor, int64Tensor } from '../protoValues';

export type Attribute = onnx.IAttributeProto;

export function ints(name: string, values: readonly number[]): Attribute {
  return { name, type: AttrType.INTS, ints: [...values] };
}

export function int(name: string, value: number): Attribute {
  return { name, type: AttrType.INT, i: value };
}

export function float(name: string, value: number): Attribute {
  return { name, type: AttrType.FLOAT, f: value };
}

export function str(name: string, value: string): Attribute {
  return { name, type: AttrType.STRING, s: new TextEncoder().encode(value) };
}

export class Emitter {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;
  private readonly scalars = new Map<string, string>();

  constructor(
    /** The model's default-domain opset version. */
    readonly opset: number,
    private readonly taken: ReadonlySet<string>,
    private readonly prefix = 'medseg_grad',
  ) {}

  /** A tensor name no node of the model or of this emitter uses. */
  fresh(hint: string): string {
    for (;;) {
      const name = `${this.prefix}/${hint}_${this.counter++}`;
      if (!this.taken.has(name)) return name;
    }
  }

  /** Adds a node; returns its outputs (`count` of them). */
  nodeN(op: string, inputs: readonly string[], count: number, attributes: Attribute[] = [], hint = op): string[] {
    const outputs = Array.from({ length: count }, () => this.fresh(hint));
    this.nodes.push({ opType: op, input: [...inputs], output: outputs, attribute: attributes, name: this.fresh(`${hint}_node`) });
    return outputs;
  }

  /** Adds a one-output node; returns its output. */
  node(op: string, inputs: readonly string[], attributes: Attribute[] = [], hint = op): string {
    return this.nodeN(op, inputs, 1, attributes, hint)[0];
  }

  /** Adds a node whose output has a given name (the gradient outputs of the model). */
  nodeNamed(op: string, inputs: readonly string[], output: string, attributes: Attribute[] = []): string {
    this.nodes.push({ opType: op, input: [...inputs], output: [output], attribute: attributes, name: this.fresh(`${op}_node`) });
    return output;
  }

  floats(values: ArrayLike<number>, dims: readonly number[], hint = 'const'): string {
    const name = this.fresh(hint);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  int64s(values: readonly number[], dims: readonly number[] = [values.length], hint = 'ints'): string {
    const name = this.fresh(hint);
    this.initializers.push(int64Tensor(name, dims, values));
    return name;
  }

  /** A float32 scalar (rank 0), shared by every use of the same value. */
  scalar(value: number): string {
    const key = String(Math.fround(value));
    let name = this.scalars.get(key);
    if (!name) {
      name = this.floats([value], [], 'scalar');
      this.scalars.set(key, name);
    }
    return name;
  }

  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }

  sub(a: string, b: string): string {
    return this.node('Sub', [a, b]);
  }

  mul(a: string, b: string): string {
    return this.node('Mul', [a, b]);
  }

  div(a: string, b: string): string {
    return this.node('Div', [a, b]);
  }

  neg(a: string): string {
    return this.node('Neg', [a]);
  }

  /** A boolean tensor as float 0/1. */
  toFloat(b: string): string {
    return this.node('Cast', [b], [int('to', DataType.FLOAT)]);
  }

  /** `where(condition, a, b)`; a or b may be scalars. */
  where(condition: string, a: string, b: string): string {
    return this.node('Where', [condition, a, b]);
  }

  shape(x: string): string {
    return this.node('Shape', [x]);
  }

  reshape(x: string, shape: string): string {
    return this.node('Reshape', [x, shape]);
  }

  /** Zeros shaped like the tensor `like` (at run time, so the batch size follows the input). */
  zerosLike(like: string): string {
    return this.node('ConstantOfShape', [this.shape(like)], [{ name: 'value', type: AttrType.TENSOR, t: floatTensor('zero', [1], [0]) }]);
  }

  reduceSum(x: string, axes: readonly number[], keepdims: boolean): string {
    if (axes.length === 0) return x;
    if (this.opset >= 13) return this.node('ReduceSum', [x, this.int64s(axes)], [int('keepdims', keepdims ? 1 : 0)]);
    return this.node('ReduceSum', [x], [ints('axes', axes), int('keepdims', keepdims ? 1 : 0)]);
  }

  reduceMean(x: string, axes: readonly number[], keepdims: boolean): string {
    if (axes.length === 0) return x;
    if (this.opset >= 18) return this.node('ReduceMean', [x, this.int64s(axes)], [int('keepdims', keepdims ? 1 : 0)]);
    return this.node('ReduceMean', [x], [ints('axes', axes), int('keepdims', keepdims ? 1 : 0)]);
  }

  reduceMax(x: string, axes: readonly number[], keepdims: boolean): string {
    if (axes.length === 0) return x;
    if (this.opset >= 18) return this.node('ReduceMax', [x, this.int64s(axes)], [int('keepdims', keepdims ? 1 : 0)]);
    return this.node('ReduceMax', [x], [ints('axes', axes), int('keepdims', keepdims ? 1 : 0)]);
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    if (axes.length === 0) return x;
    if (this.opset >= 13) return this.node('Unsqueeze', [x, this.int64s(axes)]);
    return this.node('Unsqueeze', [x], [ints('axes', axes)]);
  }

  squeeze(x: string, axes: readonly number[]): string {
    if (axes.length === 0) return x;
    if (this.opset >= 13) return this.node('Squeeze', [x, this.int64s(axes)]);
    return this.node('Squeeze', [x], [ints('axes', axes)]);
  }

  /** Slice with step 1 (bounds are inputs from opset 10, attributes before). */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[]): string {
    if (axes.length === 0) return x;
    if (this.opset < 10) return this.node('Slice', [x], [ints('starts', starts), ints('ends', ends), ints('axes', axes)]);
    return this.node('Slice', [x, this.int64s(starts), this.int64s(ends), this.int64s(axes)]);
  }

  /** Constant zero padding; `pads` = [begin of every axis, end of every axis] (an input from opset 11). */
  pad(x: string, pads: readonly number[]): string {
    if (pads.every((p) => p === 0)) return x;
    if (this.opset < 11) return this.node('Pad', [x], [ints('pads', pads)]);
    return this.node('Pad', [x, this.int64s(pads)]);
  }

  /** a mod n for non-negative int64 a and a positive constant n (Mod exists from opset 10). */
  modulo(a: string, n: number): string {
    const divisor = this.int64s([n], []);
    if (this.opset >= 10) return this.node('Mod', [a, divisor]);
    return this.sub(a, this.mul(this.div(a, divisor), divisor));
  }

  transpose(x: string, perm: readonly number[]): string {
    if (perm.every((p, i) => p === i)) return x;
    return this.node('Transpose', [x], [ints('perm', perm)]);
  }

  /** Σ of several tensors of one shape (gradient accumulation). */
  sum(terms: readonly string[]): string {
    return terms.length === 1 ? terms[0] : this.node('Sum', terms);
  }
}
