/**
 * Operators that move values without changing them, backwards: the gradient is moved back.
 * Reshape-like ops reshape to the input's run-time shape (so any batch size works); Concat,
 * Split, Slice and Pad cut or pad with the sizes measured in the forward run.
 */
import { int } from '../emitter';
import type { GradientRule, RuleContext } from '../types';
import { axisOf, unbroadcast } from './broadcast';
import { applyTapsTranspose, type AxisTaps } from './taps';

const backToInputShape: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const x = ctx.inputs[0];
  // An empty tensor has an all-zero gradient (and a reshape from or to zero elements fails).
  if (ctx.dims(x).includes(0) || ctx.dims(ctx.outputs[0]).includes(0)) return [ctx.e.zerosLike(x)];
  return [ctx.e.reshape(ctx.dY[0], ctx.e.shape(x))];
};

function requireUnbatched(ctx: RuleContext, tensor: string, axis: number): void {
  if (ctx.batched(tensor, axis)) ctx.unsupported(`${ctx.op} along the batch axis`);
}

const transpose: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const rank = ctx.dims(ctx.inputs[0]).length;
  const perm = ctx.attrs.ints('perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ctx.e.transpose(ctx.dY[0], inverse)];
};

const concat: GradientRule = (ctx) => {
  const dy = ctx.dY[0];
  if (!dy) return [];
  const out = ctx.outputs[0];
  const axis = axisOf(ctx.attrs.int('axis', 0), ctx.dims(out).length);
  requireUnbatched(ctx, out, axis);
  let offset = 0;
  return ctx.inputs.map((input, i) => {
    const size = ctx.dims(input)[axis];
    const start = offset;
    offset += size;
    return ctx.needs[i] ? ctx.e.slice(dy, [start], [start + size], [axis]) : undefined;
  });
};

const split: GradientRule = (ctx) => {
  if (!ctx.needs[0] || ctx.dY.every((g) => !g)) return [];
  const x = ctx.inputs[0];
  const axis = axisOf(ctx.attrs.int('axis', 0), ctx.dims(x).length);
  requireUnbatched(ctx, x, axis);
  const parts = ctx.outputs.map((_o, k) => ctx.dYOrZeros(k));
  return [parts.length === 1 ? parts[0] : ctx.e.node('Concat', parts, [int('axis', axis)])];
};

/** The input index each output position of a Slice reads along one axis (ONNX's clamping rules). */
function sliceTaps(start: number, step: number, dim: number, count: number): AxisTaps {
  let s = start < 0 ? start + dim : start;
  s = step > 0 ? Math.min(Math.max(s, 0), dim) : Math.min(Math.max(s, 0), dim - 1);
  return Array.from({ length: count }, (_, j) => [{ index: s + j * step, weight: 1 }]);
}

/** Applies per-axis tap maps (axes in increasing order, later axes still at their output size). */
function transposeAxes(ctx: RuleContext, grad: string, x: string, taps: Map<number, AxisTaps>): string {
  const xDims = ctx.dims(x);
  const yDims = ctx.dims(ctx.outputs[0]);
  let g = grad;
  for (const a of [...taps.keys()].sort((p, q) => p - q)) {
    requireUnbatched(ctx, x, a);
    g = applyTapsTranspose(ctx, g, a, yDims.slice(a + 1), taps.get(a)!, xDims[a]);
  }
  return g;
}

const slice: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const x = ctx.inputs[0];
  const xDims = ctx.dims(x);
  const yDims = ctx.dims(ctx.outputs[0]);
  const rank = xDims.length;
  let starts: readonly number[];
  let axes: readonly number[];
  let steps: readonly number[] | undefined;
  if (ctx.e.opset < 10) {
    starts = ctx.attrs.ints('starts', []);
    axes = ctx.attrs.ints('axes', starts.map((_s, i) => i));
  } else {
    starts = ctx.values(ctx.inputs[1]);
    axes = ctx.inputs[3] ? ctx.values(ctx.inputs[3]) : starts.map((_s, i) => i);
    steps = ctx.inputs[4] ? ctx.values(ctx.inputs[4]) : undefined;
  }
  // Unit steps are a crop, whose gradient is a zero padding; other steps are gathers.
  const pads = new Array<number>(2 * rank).fill(0);
  const strided = new Map<number, AxisTaps>();
  axes.forEach((a0, i) => {
    const a = axisOf(a0, rank);
    const step = steps?.[i] ?? 1;
    if (step === 1 && xDims[a] === yDims[a]) return;
    requireUnbatched(ctx, x, a);
    const taps = sliceTaps(starts[i], step, xDims[a], yDims[a]);
    if (step !== 1) {
      strided.set(a, taps);
      return;
    }
    pads[a] = taps.length > 0 ? taps[0][0].index : 0;
    pads[a + rank] = xDims[a] - pads[a] - yDims[a];
  });
  if (strided.size > 0) {
    // Every sliced axis through the tap maps (a crop is a tap map too).
    axes.forEach((a0, i) => {
      const a = axisOf(a0, rank);
      if (!strided.has(a) && (xDims[a] !== yDims[a])) strided.set(a, sliceTaps(starts[i], 1, xDims[a], yDims[a]));
    });
    return [transposeAxes(ctx, ctx.dY[0], x, strided)];
  }
  return [ctx.e.pad(ctx.dY[0], pads)];
};

/** The input index output position o reads in a Pad of `mode` with `begin` leading pads (none for constant padding). */
function padSource(o: number, begin: number, dim: number, mode: string): number | undefined {
  const i = o - begin;
  if (i >= 0 && i < dim) return i;
  switch (mode) {
    case 'edge':
      return Math.min(Math.max(i, 0), dim - 1);
    case 'reflect': {
      // Mirror without repeating the edge, as often as the pad needs.
      const period = 2 * (dim - 1);
      if (period === 0) return 0;
      const m = ((i % period) + period) % period;
      return m < dim ? m : period - m;
    }
    case 'wrap':
      return ((i % dim) + dim) % dim;
    default:
      return undefined;
  }
}

const pad: GradientRule = (ctx) => {
  if (ctx.needs.slice(1).some(Boolean)) ctx.unsupported('a padding value that depends on the image');
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const mode = ctx.attrs.string('mode', 'constant');
  const x = ctx.inputs[0];
  const xDims = ctx.dims(x);
  const rank = xDims.length;
  const given = ctx.e.opset < 11 ? ctx.attrs.ints('pads', []) : ctx.values(ctx.inputs[1]);
  // Opset 18's optional axes input names the axes the pads are for.
  const axes = ctx.inputs[3] ? ctx.values(ctx.inputs[3]).map((a) => axisOf(a, rank)) : Array.from({ length: rank }, (_, i) => i);
  const k = axes.length;
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => {
    begin[a] = given[i];
    end[a] = given[i + k];
  });
  const e = ctx.e;
  const yDims = ctx.dims(ctx.outputs[0]);
  if (mode !== 'constant') {
    // Reflected, repeated or wrapped positions send their gradient back to the positions they copy.
    const taps = new Map<number, AxisTaps>();
    for (let a = 0; a < rank; a++) {
      if (begin[a] === 0 && end[a] === 0) continue;
      taps.set(a, Array.from({ length: yDims[a] }, (_, o) => {
        const i = padSource(o, begin[a], xDims[a], mode);
        return i === undefined ? [] : [{ index: i, weight: 1 }];
      }));
    }
    return [transposeAxes(ctx, ctx.dY[0], x, taps)];
  }
  // Positive pads are cut away from the gradient; negative pads (crops) are padded back with zeros.
  const cutAxes: number[] = [];
  const cutStarts: number[] = [];
  const cutEnds: number[] = [];
  const refill = new Array<number>(2 * rank).fill(0);
  for (let a = 0; a < rank; a++) {
    if (begin[a] === 0 && end[a] === 0) continue;
    requireUnbatched(ctx, x, a);
    if (begin[a] > 0 || end[a] > 0) {
      cutAxes.push(a);
      cutStarts.push(Math.max(begin[a], 0));
      cutEnds.push(yDims[a] - Math.max(end[a], 0));
    }
    refill[a] = Math.max(-begin[a], 0);
    refill[a + rank] = Math.max(-end[a], 0);
  }
  return [e.pad(e.slice(ctx.dY[0], cutStarts, cutEnds, cutAxes), refill)];
};

const tile: GradientRule = (ctx) => {
  if (ctx.needs[1]) ctx.unsupported('repeats that depend on the image');
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const x = ctx.inputs[0];
  const xDims = ctx.dims(x);
  const repeats = ctx.values(ctx.inputs[1]);
  const taps = new Map<number, AxisTaps>();
  repeats.forEach((r, a) => {
    if (r !== 1) taps.set(a, Array.from({ length: r * xDims[a] }, (_, o) => [{ index: o % xDims[a], weight: 1 }]));
  });
  return [transposeAxes(ctx, ctx.dY[0], x, taps)];
};

const expand: GradientRule = (ctx) => {
  if (ctx.needs[1]) ctx.unsupported('a shape that depends on the image');
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  return [unbroadcast(ctx, ctx.dY[0], ctx.inputs[0], ctx.outputs[0])];
};

export const layoutRules: Record<string, GradientRule> = {
  Reshape: backToInputShape,
  Flatten: backToInputShape,
  Squeeze: backToInputShape,
  Unsqueeze: backToInputShape,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
  Expand: expand,
  Tile: tile,
};
