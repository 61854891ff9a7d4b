/** Ops that select or assemble ranges of a tensor: Concat, Split, Slice, Pad, Gather. */
import type { OpKernel } from './op';
import { requireInput, unsupported } from './op';
import { like, normalizeAxis, sizeOf, stridesOf, toInts, type RefTensor } from './tensor';

/** Copies the block [start, start+length) of `axis` of `t` (outer × length × inner layout). */
function axisBlocks(t: RefTensor, axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(t.dims.slice(0, axis)), inner: sizeOf(t.dims.slice(axis + 1)) };
}

const concat: OpKernel = (ctx) => {
  const parts = ctx.inputs.filter((t): t is RefTensor => t !== undefined);
  const first = parts[0];
  const axis = normalizeAxis(ctx.attrs.int('axis', 0), first.dims.length, 'Concat');
  const total = parts.reduce((s, t) => s + t.dims[axis], 0);
  const dims = first.dims.map((d, i) => (i === axis ? total : d));
  const { outer, inner } = axisBlocks(first, axis);
  const out = new Float64Array(sizeOf(dims));
  let offset = 0;
  for (const t of parts) {
    const block = t.dims[axis] * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * block, (o + 1) * block), o * total * inner + offset * inner);
    offset += t.dims[axis];
  }
  return like(first, out, dims);
};

/**
 * Split sizes come from the `split` attribute before opset 13 and from input 1 since; without
 * them the axis is cut into equal parts, from opset 18 (num_outputs) the last one possibly smaller.
 */
const split: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const axis = normalizeAxis(ctx.attrs.int('axis', 0), x.dims.length, 'Split');
  const dim = x.dims[axis];
  const count = ctx.outputCount;
  let sizes = ctx.opset < 13 ? ctx.attrs.ints('split') : ctx.inputs[1] ? toInts(ctx.inputs[1]) : undefined;
  if (!sizes || sizes.length === 0) {
    const chunk = Math.ceil(dim / count);
    sizes = Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  if (sizes.reduce((a, b) => a + b, 0) !== dim) throw new Error(`Split: sizes [${sizes.join(',')}] do not add up to ${dim}`);
  const { outer, inner } = axisBlocks(x, axis);
  let start = 0;
  return sizes.map((size) => {
    const dims = x.dims.map((d, i) => (i === axis ? size : d));
    const out = new Float64Array(sizeOf(dims));
    for (let o = 0; o < outer; o++) out.set(x.data.subarray((o * dim + start) * inner, (o * dim + start + size) * inner), o * size * inner);
    start += size;
    return like(x, out, dims);
  });
};

/** Gathers, per output coordinate, the input coordinate `start + k·step` on each axis. */
function strided(x: RefTensor, starts: number[], steps: number[], dims: number[]): RefTensor {
  const inStrides = stridesOf(x.dims);
  const outStrides = stridesOf(dims);
  const out = new Float64Array(sizeOf(dims));
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let a = 0; a < dims.length; a++) src += (starts[a] + (Math.floor(k / outStrides[a]) % dims[a]) * steps[a]) * inStrides[a];
    out[k] = x.data[src];
  }
  return like(x, out, dims);
}

/** Inputs (starts, ends, axes, steps) from opset 10, attributes before; clamped as the spec says. */
const slice: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const rank = x.dims.length;
  const read = (i: number, attr: string) => (ctx.opset < 10 ? ctx.attrs.ints(attr) : ctx.inputs[i] ? toInts(ctx.inputs[i]!) : undefined);
  const starts = read(1, 'starts') ?? [];
  const ends = read(2, 'ends') ?? [];
  const axes = read(3, 'axes') ?? starts.map((_, i) => i);
  const steps = read(4, 'steps') ?? starts.map(() => 1);
  const from = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = [...x.dims];
  axes.forEach((rawAxis, i) => {
    const a = normalizeAxis(rawAxis, rank, 'Slice');
    const d = x.dims[a];
    const s = steps[i];
    if (s === 0) throw new Error('Slice: a step of 0 is invalid');
    let b = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (s > 0) {
      b = Math.min(Math.max(b, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      b = Math.min(Math.max(b, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    from[a] = b;
    step[a] = s;
    dims[a] = Math.max(0, Math.ceil((e - b) / s));
  });
  return strided(x, from, step, dims);
};

/** Maps a coordinate outside [0, d) back inside for the padding modes that read the input. */
function padSource(c: number, d: number, mode: string): number {
  if (mode === 'edge') return Math.min(Math.max(c, 0), d - 1);
  if (mode === 'wrap') return ((c % d) + d) % d;
  // reflect: mirror about the first and last element (they are not repeated).
  const period = 2 * (d - 1);
  if (period === 0) return 0;
  const m = ((c % period) + period) % period;
  return m < d ? m : period - m;
}

/** Pads as input (with constant_value, and axes from 18) from opset 11, attributes before. */
const pad: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const rank = x.dims.length;
  const mode = ctx.attrs.string('mode', 'constant');
  if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) unsupported(ctx, `mode ${mode}`);
  let pads: number[];
  let value: number;
  let axes = x.dims.map((_, i) => i);
  if (ctx.opset < 11) {
    pads = ctx.attrs.ints('pads') ?? [];
    value = ctx.attrs.float('value', 0);
  } else {
    pads = toInts(requireInput(ctx, 1));
    value = ctx.inputs[2] && ctx.inputs[2].data.length > 0 ? ctx.inputs[2].data[0] : 0;
    if (ctx.inputs[3]) axes = toInts(ctx.inputs[3]).map((a) => normalizeAxis(a, rank, 'Pad'));
  }
  const before = x.dims.map(() => 0);
  const after = x.dims.map(() => 0);
  axes.forEach((a, i) => {
    before[a] = pads[i];
    after[a] = pads[i + axes.length];
  });
  const dims = x.dims.map((d, a) => d + before[a] + after[a]);
  const inStrides = stridesOf(x.dims);
  const outStrides = stridesOf(dims);
  const out = new Float64Array(sizeOf(dims));
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    let outside = false;
    for (let a = 0; a < rank; a++) {
      let c = (Math.floor(k / outStrides[a]) % dims[a]) - before[a];
      if (c < 0 || c >= x.dims[a]) {
        if (mode === 'constant') outside = true;
        else c = padSource(c, x.dims[a], mode);
      }
      src += c * inStrides[a];
    }
    out[k] = outside ? value : x.data[src];
  }
  return like(x, out, dims);
};

const gather: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const indices = requireInput(ctx, 1);
  const axis = normalizeAxis(ctx.attrs.int('axis', 0), x.dims.length, 'Gather');
  const d = x.dims[axis];
  const { outer, inner } = axisBlocks(x, axis);
  const dims = [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)];
  const out = new Float64Array(sizeOf(dims));
  const n = indices.data.length;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < n; j++) {
      const raw = Math.trunc(indices.data[j]);
      const i = raw < 0 ? raw + d : raw;
      if (i < 0 || i >= d) throw new Error(`Gather: index ${raw} is out of range for a dimension of ${d}`);
      out.set(x.data.subarray((o * d + i) * inner, (o * d + i + 1) * inner), (o * n + j) * inner);
    }
  return like(x, out, dims);
};

export const indexingOps: Record<string, OpKernel> = { Concat: concat, Split: split, Slice: slice, Pad: pad, Gather: gather };
