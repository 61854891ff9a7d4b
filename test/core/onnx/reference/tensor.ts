/**
 * The reference evaluator's tensor: every element type is held as float64 values (int64 and bool
 * tensors too), so that finite differences see no float32 rounding. `dataType` (an ONNX
 * `TensorProto.DataType`, absent = float) is kept only where semantics depend on it: integer
 * division truncates, Cast and comparisons change it, Shape and Gather indices are int64.
 */

export interface RefTensor {
  dims: number[];
  data: Float64Array;
  dataType?: number;
}

export const FLOAT = 1;
export const INT32 = 6;
export const INT64 = 7;
export const BOOL = 9;
export const DOUBLE = 11;

const integerTypes = new Set([2, 3, 4, 5, 6, 7, 12, 13]);

export function isIntegerType(dataType: number | undefined): boolean {
  return dataType !== undefined && integerTypes.has(dataType);
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Row-major strides: the flat distance between neighbours along each axis. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

export function makeTensor(dims: readonly number[], data?: Float64Array, dataType?: number): RefTensor {
  const d = data ?? new Float64Array(sizeOf(dims));
  if (d.length !== sizeOf(dims)) throw new Error(`tensor of dims [${dims.join(',')}] needs ${sizeOf(dims)} values, got ${d.length}`);
  return dataType === undefined || dataType === FLOAT ? { dims: [...dims], data: d } : { dims: [...dims], data: d, dataType };
}

/** A same-shaped tensor of the same element type holding `data`. */
export function like(t: RefTensor, data: Float64Array, dims: readonly number[] = t.dims): RefTensor {
  return makeTensor(dims, data, t.dataType);
}

/** An axis attribute that may count from the end, checked against the rank. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new Error(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy (multidirectional) broadcasting of shapes. */
export function broadcastDims(shapes: readonly (readonly number[])[], op: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i];
      if (d === out[j] || d === 1) continue;
      if (out[j] !== 1) throw new Error(`${op}: shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} do not broadcast`);
      out[j] = d;
    }
  }
  return out;
}

/**
 * For each element of an `outDims` tensor, the flat index of the element of an `inDims` tensor
 * that broadcasting reads (right-aligned, size-1 axes repeated).
 */
export function broadcastOffsets(outDims: readonly number[], inDims: readonly number[]): Int32Array {
  const rank = outDims.length;
  const inStrides = stridesOf(inDims);
  const strides = new Array<number>(rank).fill(0);
  for (let i = 0; i < inDims.length; i++) {
    const j = rank - inDims.length + i;
    if (inDims[i] !== 1) {
      if (inDims[i] !== outDims[j]) throw new Error(`cannot broadcast [${inDims.join(',')}] to [${outDims.join(',')}]`);
      strides[j] = inStrides[i];
    }
  }
  const n = sizeOf(outDims);
  const offsets = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let k = 0; k < n; k++) {
    offsets[k] = offset;
    for (let j = rank - 1; j >= 0; j--) {
      counter[j]++;
      offset += strides[j];
      if (counter[j] < outDims[j]) break;
      offset -= strides[j] * counter[j];
      counter[j] = 0;
    }
  }
  return offsets;
}

/** Truncation toward zero, as C++ converts to an integer type (integers have no −0). */
export function truncateToInteger(v: number): number {
  return Math.trunc(v) + 0;
}

/** An int64 (or any) tensor's values as plain integers: shapes, axes, pads, indices. */
export function toInts(t: RefTensor): number[] {
  return Array.from(t.data, truncateToInteger);
}

/** Transposes `t` by `perm` (output axis i is input axis perm[i]). */
export function transposeTensor(t: RefTensor, perm: readonly number[]): RefTensor {
  const rank = t.dims.length;
  const outDims = perm.map((p) => t.dims[p]);
  const inStrides = stridesOf(t.dims);
  const permStrides = perm.map((p) => inStrides[p]);
  const out = new Float64Array(t.data.length);
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = t.data[offset];
    for (let j = rank - 1; j >= 0; j--) {
      counter[j]++;
      offset += permStrides[j];
      if (counter[j] < outDims[j]) break;
      offset -= permStrides[j] * counter[j];
      counter[j] = 0;
    }
  }
  return like(t, out, outDims);
}
