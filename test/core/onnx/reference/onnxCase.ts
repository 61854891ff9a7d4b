/**
 * Small ONNX graphs for tests that compare the reference with onnxruntime: one op with seeded
 * float32-representable inputs (feeds) and constant inputs (initializers), run in both.
 */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { floatAttr, floatTensor, int64Tensor, intAttr, intsAttr, stringAttr } from '../../../../server/src/core/onnx/protoValues';
import { randomFloat32Array } from './gradient';
import { BOOL, INT64, makeTensor, sizeOf, type RefTensor } from './tensor';

const AttrType = onnx.AttributeProto.AttributeType;

export interface CaseTensor {
  dims: number[];
  /** Fixed values; random in `range` when absent (feeds only). */
  data?: ArrayLike<number>;
  dataType?: number;
  /** An initializer rather than a graph input. */
  constant?: boolean;
  range?: [number, number];
}

/** A float32 graph input of random values in [range[0], range[1]). */
export const feed = (dims: number[], range: [number, number] = [-2, 2]): CaseTensor => ({ dims, range });
/** A graph input with fixed values (int64 or bool feeds, or chosen floats). */
export const fixedFeed = (dims: number[], data: ArrayLike<number>, dataType?: number): CaseTensor => ({ dims, data, dataType });
export const floats = (dims: number[], data: ArrayLike<number>): CaseTensor => ({ dims, data, constant: true });
export const int64s = (data: number[], dims: number[] = [data.length]): CaseTensor => ({ dims, data, dataType: INT64, constant: true });

export const attr = {
  int: intAttr,
  ints: intsAttr,
  float: floatAttr,
  string: stringAttr,
  floats: (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: AttrType.FLOATS, floats: values }),
  tensor: (name: string, t: onnx.ITensorProto): onnx.IAttributeProto => ({ name, type: AttrType.TENSOR, t }),
};

export interface OpCaseSpec {
  op: string;
  /** In order; null is an omitted optional input (an empty name). */
  inputs: (CaseTensor | null)[];
  attrs?: onnx.IAttributeProto[];
  /** Default-domain opset of the model (default 17). */
  opset?: number;
  /** How many outputs the node names (default 1). */
  outputs?: number;
}

export interface BuiltCase {
  model: onnx.IModelProto;
  feeds: Record<string, RefTensor>;
}

const elemType = (dataType?: number) => dataType ?? onnx.TensorProto.DataType.FLOAT;

function initializer(name: string, t: CaseTensor): onnx.ITensorProto {
  const values = Array.from(t.data ?? []);
  if (t.dataType === INT64) return int64Tensor(name, t.dims, values);
  if (t.dataType === BOOL) return { name, dims: t.dims, dataType: BOOL, int32Data: values };
  return floatTensor(name, t.dims, values);
}

/** A one-node model for `spec`; random feeds are drawn from `seed`. */
export function buildOpCase(spec: OpCaseSpec, seed: number): BuiltCase {
  const inputs: onnx.IValueInfoProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  const feeds: Record<string, RefTensor> = {};
  const names = spec.inputs.map((t, i) => {
    if (!t) return '';
    const name = `in${i}`;
    if (t.constant) {
      initializers.push(initializer(name, t));
      return name;
    }
    const [low, high] = t.range ?? [-2, 2];
    const data = t.data ? Float64Array.from(t.data) : randomFloat32Array(sizeOf(t.dims), seed + 7919 * i, low, high);
    feeds[name] = makeTensor(t.dims, data, t.dataType);
    inputs.push({ name, type: { tensorType: { elemType: elemType(t.dataType), shape: { dim: t.dims.map((d) => ({ dimValue: d })) } } } });
    return name;
  });
  const outputs = Array.from({ length: spec.outputs ?? 1 }, (_, k) => `out${k}`);
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: spec.op,
      node: [{ opType: spec.op, name: spec.op, input: names, output: outputs, attribute: spec.attrs ?? [] }],
      initializer: initializers,
      input: inputs,
      output: outputs.map((name) => ({ name })),
    },
  };
  return { model, feeds };
}

function toOrt(t: RefTensor): ort.Tensor {
  if (t.dataType === INT64) return new ort.Tensor('int64', BigInt64Array.from(t.data, (v) => BigInt(v)), t.dims);
  if (t.dataType === BOOL) return new ort.Tensor('bool', Uint8Array.from(t.data), t.dims);
  return new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
}

function fromOrt(t: ort.Tensor): RefTensor {
  const dataType = t.type === 'int64' ? INT64 : t.type === 'bool' ? BOOL : undefined;
  const data = Float64Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
  return makeTensor([...t.dims], data, dataType);
}

/** Every graph output as onnxruntime (CPU, float32) computes it. */
export async function runOnnxruntime(model: onnx.IModelProto, feeds: Record<string, RefTensor>): Promise<Record<string, RefTensor>> {
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const result = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
    return Object.fromEntries(session.outputNames.map((name) => [name, fromOrt(result[name])]));
  } finally {
    await session.release();
  }
}

/** A float initializer of seeded random values (weights, biases). */
export function randomConstant(dims: number[], seed: number, range: [number, number] = [-1, 1]): CaseTensor {
  return floats(dims, randomFloat32Array(sizeOf(dims), seed, range[0], range[1]));
}

/** One row of a cross-check table: a graph, and the agreement asked of the two evaluators. */
export interface OpCase {
  name: string;
  spec: OpCaseSpec;
  /** Largest maxRelativeError accepted for float outputs (default 1e-5). */
  tolerance?: number;
}
