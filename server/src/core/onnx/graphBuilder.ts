/**
 * A typed builder for small ONNX graphs (opset 17, ir_version 8): enough to write segmentation
 * networks in TypeScript that go through the same loading and inference path as an exported
 * model (demo models, test fixtures with analytically known outputs). Every method returns the
 * name of the tensor it produces, so graphs read like expressions.
 */
import { onnx } from 'onnx-proto';
import { DataType, floatTensor, intAttr, intsAttr, stringAttr } from './protoValues';

/** A dimension: a fixed size or a symbolic name (`'N'` for a dynamic batch). */
export type DimSpec = number | string;

/** A second operand of an element-wise op: a tensor name, a scalar, or a constant to broadcast. */
export type Operand = string | number | { values: ArrayLike<number>; dims: number[] };

export interface ConvSpec {
  /** Weights in ONNX order [out, in/group, kH, kW], row-major. */
  weights: ArrayLike<number>;
  shape: [number, number, number, number];
  bias?: ArrayLike<number>;
  /** [top, left, bottom, right]; default keeps the size for odd kernels at stride 1. */
  pads?: [number, number, number, number];
  strides?: [number, number];
  dilations?: [number, number];
  group?: number;
  name?: string;
}

export interface PoolSpec {
  strides?: [number, number];
  /** [top, left, bottom, right]; default keeps the size for odd kernels at stride 1. */
  pads?: [number, number, number, number];
  name?: string;
}

export interface BuildOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  irVersion?: number;
  opset?: number;
}

function samePads(kh: number, kw: number, dilations: [number, number] = [1, 1]): [number, number, number, number] {
  const eh = (kh - 1) * dilations[0];
  const ew = (kw - 1) * dilations[1];
  return [Math.floor(eh / 2), Math.floor(ew / 2), eh - Math.floor(eh / 2), ew - Math.floor(ew / 2)];
}

function kernelPair(kernel: number | [number, number]): [number, number] {
  return typeof kernel === 'number' ? [kernel, kernel] : kernel;
}

function valueInfo(name: string, dims?: readonly DimSpec[]): onnx.IValueInfoProto {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: { elemType: DataType.FLOAT, ...(shape ? { shape } : {}) } } };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;
  private parameters = 0;

  constructor(readonly graphName = 'graph') {}

  /** Number of values in the initializers so far (weights, biases, constants). */
  get parameterCount(): number {
    return this.parameters;
  }

  /** A float32 graph input; use a string dim (`'N'`) for a dynamic axis. */
  input(name: string, dims: readonly DimSpec[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Marks a tensor as a graph output; dims are optional (onnxruntime infers them). */
  output(tensor: string, dims?: readonly DimSpec[]): string {
    this.outputs.push(valueInfo(tensor, dims));
    return tensor;
  }

  /** A float32 initializer; returns its name. */
  constant(values: ArrayLike<number>, dims: readonly number[], hint = 'const'): string {
    const name = this.fresh(hint);
    this.initializers.push(floatTensor(name, dims, values));
    this.parameters += values.length;
    return name;
  }

  conv(x: string, spec: ConvSpec): string {
    const [, , kh, kw] = spec.shape;
    const w = this.constant(spec.weights, spec.shape, 'conv_w');
    const inputs = [x, w];
    if (spec.bias) inputs.push(this.constant(spec.bias, [spec.shape[0]], 'conv_b'));
    const dilations = spec.dilations ?? [1, 1];
    return this.node('Conv', inputs, spec.name, [
      intsAttr('kernel_shape', [kh, kw]),
      intsAttr('pads', spec.pads ?? samePads(kh, kw, dilations)),
      intsAttr('strides', spec.strides ?? [1, 1]),
      intsAttr('dilations', dilations),
      intAttr('group', spec.group ?? 1),
    ]);
  }

  relu(x: string, name?: string): string {
    return this.node('Relu', [x], name);
  }

  sigmoid(x: string, name?: string): string {
    return this.node('Sigmoid', [x], name);
  }

  neg(x: string, name?: string): string {
    return this.node('Neg', [x], name);
  }

  maxPool(x: string, kernel: number | [number, number], spec: PoolSpec = {}): string {
    const [kh, kw] = kernelPair(kernel);
    return this.node('MaxPool', [x], spec.name, [
      intsAttr('kernel_shape', [kh, kw]),
      intsAttr('pads', spec.pads ?? samePads(kh, kw)),
      intsAttr('strides', spec.strides ?? [1, 1]),
    ]);
  }

  /** Padded cells are left out of the mean unless `countIncludePad` (ONNX default: left out). */
  averagePool(x: string, kernel: number | [number, number], spec: PoolSpec & { countIncludePad?: boolean } = {}): string {
    const [kh, kw] = kernelPair(kernel);
    return this.node('AveragePool', [x], spec.name, [
      intsAttr('kernel_shape', [kh, kw]),
      intsAttr('pads', spec.pads ?? samePads(kh, kw)),
      intsAttr('strides', spec.strides ?? [1, 1]),
      intAttr('count_include_pad', spec.countIncludePad ? 1 : 0),
    ]);
  }

  add(a: string, b: Operand, name?: string): string {
    return this.node('Add', [a, this.operand(b)], name);
  }

  sub(a: string, b: Operand, name?: string): string {
    return this.node('Sub', [a, this.operand(b)], name);
  }

  mul(a: string, b: Operand, name?: string): string {
    return this.node('Mul', [a, this.operand(b)], name);
  }

  div(a: string, b: Operand, name?: string): string {
    return this.node('Div', [a, this.operand(b)], name);
  }

  concat(xs: readonly string[], axis = 1, name?: string): string {
    return this.node('Concat', xs, name, [intAttr('axis', axis)]);
  }

  /** Opset ≥ 13 form `(X, roi = '', scales)`; `(X, scales)` is rejected by onnxruntime. */
  resize(
    x: string,
    scales: readonly number[],
    mode: 'nearest' | 'linear' = 'linear',
    coordinateTransformationMode: 'half_pixel' | 'align_corners' | 'asymmetric' | 'pytorch_half_pixel' = 'half_pixel',
    name?: string,
  ): string {
    const s = this.constant(scales, [scales.length], 'scales');
    return this.node('Resize', [x, '', s], name, [
      stringAttr('mode', mode),
      stringAttr('coordinate_transformation_mode', coordinateTransformationMode),
      ...(mode === 'nearest' ? [stringAttr('nearest_mode', 'floor')] : []),
    ]);
  }

  softmax(x: string, axis = 1, name?: string): string {
    return this.node('Softmax', [x], name, [intAttr('axis', axis)]);
  }

  /** At opset 17 the axes are an attribute (opset 18 moved them to an input). */
  reduceMean(x: string, axes: readonly number[], keepdims = true, name?: string): string {
    return this.node('ReduceMean', [x], name, [intsAttr('axes', axes), intAttr('keepdims', keepdims ? 1 : 0)]);
  }

  /** Since opset 11 the bounds are scalar inputs; an omitted bound is an empty input name. */
  clip(x: string, min?: number, max?: number, name?: string): string {
    const lo = min === undefined ? '' : this.constant([min], [], 'clip_min');
    const hi = max === undefined ? '' : this.constant([max], [], 'clip_max');
    const inputs = hi === '' ? (lo === '' ? [x] : [x, lo]) : [x, lo, hi];
    return this.node('Clip', inputs, name);
  }

  /** An arbitrary node, for ops without a helper; returns its (first) output. */
  node(opType: string, inputs: readonly string[], outputName?: string, attribute: onnx.IAttributeProto[] = []): string {
    const output = outputName ?? this.fresh(opType.toLowerCase());
    if (outputName !== undefined) this.claim(outputName);
    this.nodes.push({ opType, input: [...inputs], output: [output], name: `${opType}_${this.nodes.length}`, attribute });
    return output;
  }

  toModelProto(options: BuildOptions = {}): onnx.IModelProto {
    if (this.inputs.length === 0) throw new Error('graph has no input');
    if (this.outputs.length === 0) throw new Error('graph has no output');
    return {
      irVersion: options.irVersion ?? 8,
      opsetImport: [{ domain: '', version: options.opset ?? 17 }],
      producerName: options.producerName ?? 'medseg-eval',
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }

  /** The serialised model, as `InferenceSession.create` and `.onnx` files take it. */
  build(options: BuildOptions = {}): Uint8Array {
    return onnx.ModelProto.encode(this.toModelProto(options)).finish();
  }

  private operand(b: Operand): string {
    if (typeof b === 'string') return b;
    if (typeof b === 'number') return this.constant([b], [], 'scalar');
    return this.constant(b.values, b.dims);
  }

  private fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.counter++}`;
    while (this.usedNames.has(name));
    this.usedNames.add(name);
    return name;
  }

  private claim(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`tensor name ${name} is used twice`);
    this.usedNames.add(name);
  }
}
