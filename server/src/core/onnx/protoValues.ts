/**
 * Small converters between JS values and onnx-proto messages. The protobuf wire format is the
 * same whatever the host, so tensors are written little-endian explicitly rather than by copying
 * a Float32Array's buffer.
 */
import { onnx } from 'onnx-proto';

export const AttrType = onnx.AttributeProto.AttributeType;
export const DataType = onnx.TensorProto.DataType;

/** A decoded int64 field is a `Long` (protobufjs with the `long` package) or a number. */
export type Int64Like = number | { toNumber(): number } | null | undefined;

export function int64ToNumber(value: Int64Like): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export function intsAttr(name: string, ints: readonly number[]): onnx.IAttributeProto {
  return { name, type: AttrType.INTS, ints: [...ints] };
}

export function intAttr(name: string, i: number): onnx.IAttributeProto {
  return { name, type: AttrType.INT, i };
}

export function floatAttr(name: string, f: number): onnx.IAttributeProto {
  return { name, type: AttrType.FLOAT, f };
}

/** String attributes are `bytes` on the wire: a JS string here would be base64-decoded into garbage. */
export function stringAttr(name: string, s: string): onnx.IAttributeProto {
  return { name, type: AttrType.STRING, s: new TextEncoder().encode(s) };
}

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): onnx.ITensorProto {
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) {
    throw new Error(`tensor ${name}: ${values.length} values for dims [${dims.join(',')}] (${size} expected)`);
  }
  const raw = new Uint8Array(size * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < size; i++) view.setFloat32(i * 4, values[i], true);
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: raw };
}

const elementTypeNames: Record<number, string> = {
  [DataType.UNDEFINED]: 'unknown',
  [DataType.FLOAT]: 'float32',
  [DataType.UINT8]: 'uint8',
  [DataType.INT8]: 'int8',
  [DataType.UINT16]: 'uint16',
  [DataType.INT16]: 'int16',
  [DataType.INT32]: 'int32',
  [DataType.INT64]: 'int64',
  [DataType.STRING]: 'string',
  [DataType.BOOL]: 'bool',
  [DataType.FLOAT16]: 'float16',
  [DataType.DOUBLE]: 'float64',
  [DataType.UINT32]: 'uint32',
  [DataType.UINT64]: 'uint64',
  [DataType.COMPLEX64]: 'complex64',
  [DataType.COMPLEX128]: 'complex128',
  [DataType.BFLOAT16]: 'bfloat16',
};

/** The name onnxruntime uses for a `TensorProto.DataType` (`float32`, `int64`, …). */
export function elementTypeName(dataType: number | null | undefined): string {
  return elementTypeNames[dataType ?? 0] ?? `type${dataType ?? 0}`;
}
