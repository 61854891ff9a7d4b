/**
 * Ops that move or relabel values without arithmetic: Reshape, Flatten, Transpose, Squeeze,
 * Unsqueeze, Expand, Tile, Identity, Dropout (inference), Shape, ConstantOfShape, Constant.
 */
import type { OpContext, OpKernel } from './op';
import { requireInput, unsupported } from './op';
import { constantValue } from './proto';
import { BOOL, broadcastDims, broadcastOffsets, INT64, like, makeTensor, normalizeAxis, sizeOf, stridesOf, toInts, transposeTensor } from './tensor';

/** Axes from the attribute before `inputFrom`, from input 1 since; undefined when absent. */
export function axesOf(ctx: OpContext, inputFrom: number): number[] | undefined {
  if (ctx.opset < inputFrom) return ctx.attrs.ints('axes');
  const t = ctx.inputs[1];
  return t ? toInts(t) : undefined;
}

const reshape: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const shape = toInts(requireInput(ctx, 1));
  const allowZero = ctx.attrs.int('allowzero', 0) === 1;
  const dims = shape.map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
  const infer = dims.indexOf(-1);
  if (infer >= 0) {
    const known = dims.reduce((p, d, i) => (i === infer ? p : p * d), 1);
    dims[infer] = known === 0 ? 0 : x.data.length / known;
  }
  if (sizeOf(dims) !== x.data.length) throw new Error(`Reshape: [${x.dims.join(',')}] cannot become [${shape.join(',')}]`);
  return like(x, x.data.slice(), dims);
};

const flatten: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const rank = x.dims.length;
  const raw = ctx.attrs.int('axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 0 || axis > rank) throw new Error(`Flatten: axis ${raw} is out of range for rank ${rank}`);
  return like(x, x.data.slice(), [sizeOf(x.dims.slice(0, axis)), sizeOf(x.dims.slice(axis))]);
};

const transpose: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const perm = ctx.attrs.ints('perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i);
  return transposeTensor(x, perm);
};

const squeeze: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const rank = x.dims.length;
  const axes = axesOf(ctx, 13)?.map((a) => normalizeAxis(a, rank, 'Squeeze'));
  for (const a of axes ?? []) if (x.dims[a] !== 1) throw new Error(`Squeeze: axis ${a} has size ${x.dims[a]}, not 1`);
  const dims = x.dims.filter((d, i) => (axes && axes.length > 0 ? !axes.includes(i) : d !== 1));
  return like(x, x.data.slice(), dims);
};

const unsqueeze: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const axes = axesOf(ctx, 13);
  if (!axes) throw new Error('Unsqueeze: axes are required');
  const rank = x.dims.length + axes.length;
  const inserted = new Set(axes.map((a) => normalizeAxis(a, rank, 'Unsqueeze')));
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(inserted.has(i) ? 1 : x.dims[k++]);
  return like(x, x.data.slice(), dims);
};

const expand: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const dims = broadcastDims([x.dims, toInts(requireInput(ctx, 1))], 'Expand');
  const offsets = broadcastOffsets(dims, x.dims);
  return like(
    x,
    Float64Array.from(offsets, (o) => x.data[o]),
    dims,
  );
};

const tile: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const repeats = toInts(requireInput(ctx, 1));
  const dims = x.dims.map((d, i) => d * repeats[i]);
  const inStrides = stridesOf(x.dims);
  const outStrides = stridesOf(dims);
  const out = new Float64Array(sizeOf(dims));
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let a = 0; a < dims.length; a++) src += (Math.floor(k / outStrides[a]) % x.dims[a]) * inStrides[a];
    out[k] = x.data[src];
  }
  return like(x, out, dims);
};

/**
 * Inference only: the output is the input. The mask is all true from opset 12 but all false
 * before: onnxruntime runs opset 7-11 Dropout as an identity that zeroes the mask (the spec of
 * those opsets does not say what an inference mask holds).
 */
const dropout: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const training = ctx.opset >= 12 ? ctx.inputs[2] : undefined;
  if (training && training.data[0] !== 0) unsupported(ctx, 'training_mode = true');
  const mask = makeTensor(x.dims, new Float64Array(x.data.length).fill(ctx.opset >= 12 ? 1 : 0), BOOL);
  return [like(x, x.data.slice()), mask];
};

/** From opset 15, start and end select a range of the dimensions (clamped like Slice). */
const shapeOp: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const rank = x.dims.length;
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + rank : i, 0), rank);
  const start = clampIndex(ctx.attrs.int('start', 0));
  const end = clampIndex(ctx.attrs.int('end', rank));
  const dims = x.dims.slice(start, Math.max(start, end));
  return makeTensor([dims.length], Float64Array.from(dims), INT64);
};

const constantOfShape: OpKernel = (ctx) => {
  const dims = toInts(requireInput(ctx, 0));
  const value = ctx.attrs.tensor('value') ?? makeTensor([1], Float64Array.of(0));
  return makeTensor(dims, new Float64Array(sizeOf(dims)).fill(value.data[0]), value.dataType);
};

export const shapeOps: Record<string, OpKernel> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
  Identity: (ctx) => requireInput(ctx, 0),
  Dropout: dropout,
  Shape: shapeOp,
  ConstantOfShape: constantOfShape,
  Constant: (ctx) => constantValue(ctx.attrs),
};
