/**
 * Reading onnx-proto messages into reference tensors: initializers and Constant values in every
 * storage the format allows (rawData little-endian, or the typed repeated fields, whose int64
 * entries decode as `Long`), and node attributes.
 */
import { onnx } from 'onnx-proto';
import { int64ToNumber, type Int64Like } from '../../../../server/src/core/onnx/protoValues';
import { FLOAT, INT64, makeTensor, sizeOf, type RefTensor } from './tensor';

const DT = onnx.TensorProto.DataType;

/** Bytes per element in rawData, and how to read one (little-endian, whatever the host). */
const rawReaders: Record<number, [number, (v: DataView, o: number) => number]> = {
  [DT.FLOAT]: [4, (v, o) => v.getFloat32(o, true)],
  [DT.DOUBLE]: [8, (v, o) => v.getFloat64(o, true)],
  [DT.INT64]: [8, (v, o) => Number(v.getBigInt64(o, true))],
  [DT.UINT64]: [8, (v, o) => Number(v.getBigUint64(o, true))],
  [DT.INT32]: [4, (v, o) => v.getInt32(o, true)],
  [DT.UINT32]: [4, (v, o) => v.getUint32(o, true)],
  [DT.INT16]: [2, (v, o) => v.getInt16(o, true)],
  [DT.UINT16]: [2, (v, o) => v.getUint16(o, true)],
  [DT.INT8]: [1, (v, o) => v.getInt8(o)],
  [DT.UINT8]: [1, (v, o) => v.getUint8(o)],
  [DT.BOOL]: [1, (v, o) => (v.getUint8(o) ? 1 : 0)],
  [DT.FLOAT16]: [2, (v, o) => halfToNumber(v.getUint16(o, true))],
};

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function tensorFromProto(t: onnx.ITensorProto): RefTensor {
  const name = t.name ?? '(unnamed)';
  const dims = (t.dims ?? []).map((d) => int64ToNumber(d as Int64Like));
  const dataType = t.dataType ?? DT.UNDEFINED;
  const n = sizeOf(dims);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0) {
    throw new Error(`tensor ${name}: external data is not supported by the reference evaluator`);
  }
  const reader = rawReaders[dataType];
  if (!reader) throw new Error(`tensor ${name}: element type ${dataType} is not supported by the reference evaluator`);
  const data = new Float64Array(n);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const [width, read] = reader;
    if (raw.length !== n * width) throw new Error(`tensor ${name}: rawData has ${raw.length} bytes, ${n * width} expected`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) data[i] = read(view, i * width);
  } else {
    const values = typedField(t, dataType);
    if (values.length !== n) throw new Error(`tensor ${name}: ${values.length} values for dims [${dims.join(',')}]`);
    for (let i = 0; i < n; i++) data[i] = values[i];
  }
  return makeTensor(dims, data, dataType === FLOAT ? undefined : dataType);
}

function typedField(t: onnx.ITensorProto, dataType: number): number[] {
  switch (dataType) {
    case DT.FLOAT:
      return [...(t.floatData ?? [])];
    case DT.DOUBLE:
      return [...(t.doubleData ?? [])];
    case DT.INT64:
      return (t.int64Data ?? []).map((v) => int64ToNumber(v as Int64Like));
    case DT.UINT64:
    case DT.UINT32:
      return (t.uint64Data ?? []).map((v) => int64ToNumber(v as Int64Like));
    case DT.FLOAT16:
      return (t.int32Data ?? []).map(halfToNumber);
    case DT.BOOL:
      return (t.int32Data ?? []).map((v) => (v ? 1 : 0));
    default:
      return [...(t.int32Data ?? [])];
  }
}

/** A node's attributes, typed reads with the operator's defaults. */
export class Attributes {
  constructor(private readonly node: onnx.INodeProto) {}

  private find(name: string): onnx.IAttributeProto | undefined {
    return this.node.attribute?.find((a) => a.name === name);
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  int(name: string, fallback: number): number {
    const a = this.find(name);
    return a ? int64ToNumber(a.i as Int64Like) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.find(name);
    return a ? (a.ints ?? []).map((v) => int64ToNumber(v as Int64Like)) : undefined;
  }

  float(name: string, fallback: number): number {
    const a = this.find(name);
    return a ? (a.f ?? 0) : fallback;
  }

  floats(name: string): number[] | undefined {
    const a = this.find(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  string(name: string, fallback: string): string {
    const a = this.find(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  tensor(name: string): RefTensor | undefined {
    const a = this.find(name);
    return a?.t ? tensorFromProto(a.t) : undefined;
  }
}

/** The value of a Constant node, whichever of its attributes carries it. */
export function constantValue(attrs: Attributes): RefTensor {
  const t = attrs.tensor('value');
  if (t) return t;
  if (attrs.has('value_float')) return makeTensor([], Float64Array.of(attrs.float('value_float', 0)));
  const floats = attrs.floats('value_floats');
  if (floats) return makeTensor([floats.length], Float64Array.from(floats));
  if (attrs.has('value_int')) return makeTensor([], Float64Array.of(attrs.int('value_int', 0)), INT64);
  const ints = attrs.ints('value_ints');
  if (ints) return makeTensor([ints.length], Float64Array.from(ints), INT64);
  throw new Error('Constant: only value, value_float(s) and value_int(s) are supported (not sparse or string values)');
}
