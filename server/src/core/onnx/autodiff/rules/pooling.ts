/**
 * Pooling, backwards, with the transposed-convolution trick: a gradient that each output window
 * spreads over its inputs is a depthwise ConvTranspose (group = channels) of a per-window tensor.
 * - AveragePool: dY / window size, spread with a kernel of ones.
 * - MaxPool: the winner of each window (onnxruntime's Indices output, so ties go where the forward
 *   sent them) as one-hot planes per kernel offset, spread with a one-hot kernel per offset.
 * - GlobalAveragePool: dY / (spatial size), broadcast.
 */
import { int, ints } from '../emitter';
import type { GradientRule, RuleContext } from '../types';
import { transposedPadding, windowOf, type Window } from './convolution';

function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/** Row-major strides of a shape. */
function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let a = dims.length - 2; a >= 0; a--) s[a] = s[a + 1] * dims[a + 1];
  return s;
}

/** Visits every index of a shape in row-major order. */
function forEachIndex(dims: readonly number[], visit: (index: number[], flat: number) => void): void {
  const total = product(dims);
  const index = new Array<number>(dims.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    visit(index, flat);
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++index[a] < dims[a]) break;
      index[a] = 0;
    }
  }
}

/** Depthwise ConvTranspose of `g` ([N, C·K, out…]) with per-group kernels `kernel` ([C·K, 1, k…]) back to the input's size. */
function spread(ctx: RuleContext, g: string, kernel: string, channels: number, w: Window, inSpatial: readonly number[], outSpatial: readonly number[]): string {
  const { pads, outputPadding } = transposedPadding(ctx, w, inSpatial, outSpatial);
  const attributes = [ints('strides', w.strides), ints('dilations', w.dilations), ints('pads', pads), ints('output_padding', outputPadding), int('group', channels)];
  return ctx.e.node('ConvTranspose', [g, kernel], attributes, 'pool_grad');
}

const averagePool: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const x = ctx.inputs[0];
  const xDims = ctx.dims(x);
  const outSpatial = ctx.dims(ctx.outputs[0]).slice(2);
  const inSpatial = xDims.slice(2);
  const channels = xDims[1];
  const w = windowOf(ctx, inSpatial, ctx.attrs.ints('kernel_shape', []));
  const n = inSpatial.length;
  const includePad = ctx.attrs.int('count_include_pad', 0) === 1;
  // The divisor of each output window, as onnxruntime counts it: clipped to the padded input when
  // padding counts, to the input itself when it does not.
  const divisor = new Float64Array(product(outSpatial));
  forEachIndex(outSpatial, (o, flat) => {
    let size = 1;
    for (let a = 0; a < n; a++) {
      const start = o[a] * w.strides[a] - w.pads[a];
      let count = 0;
      for (let k = 0; k < w.kernel[a]; k++) {
        const p = start + k * w.dilations[a];
        if (includePad ? p < inSpatial[a] + w.pads[a + n] : p >= 0 && p < inSpatial[a]) count++;
      }
      size *= count;
    }
    divisor[flat] = size;
  });
  const e = ctx.e;
  const uniform = divisor.every((d) => d === divisor[0]);
  const scaled = uniform ? e.mul(ctx.dY[0], e.scalar(1 / divisor[0])) : e.div(ctx.dY[0], e.floats(divisor, outSpatial, 'pool_divisor'));
  const ones = e.floats(new Float32Array(channels * product(w.kernel)).fill(1), [channels, 1, ...w.kernel], 'pool_ones');
  return [spread(ctx, scaled, ones, channels, w, inSpatial, outSpatial)];
};

/** The MaxPool node made to also give its Indices (the node is a copy owned by the gradient model). */
function indicesOf(ctx: RuleContext): string {
  const node = ctx.node;
  if (node.output && node.output.length > 1 && node.output[1]) return node.output[1];
  const name = ctx.e.fresh('maxpool_indices');
  node.output = [node.output![0], name];
  return name;
}

const maxPool: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const x = ctx.inputs[0];
  const xDims = ctx.dims(x);
  const inSpatial = xDims.slice(2);
  const outSpatial = ctx.dims(ctx.outputs[0]).slice(2);
  const channels = xDims[1];
  const n = inSpatial.length;
  const w = windowOf(ctx, inSpatial, ctx.attrs.ints('kernel_shape', []));
  const offsets = product(w.kernel);
  const planeSize = product(inSpatial);
  // storage_order 1: onnxruntime numbers positions within a plane column-major.
  const planeStrides = ctx.attrs.int('storage_order', 0) === 1 ? stridesOf([...inSpatial].reverse()).reverse() : stridesOf(inSpatial);
  // expected[j][o]: the index within the channel plane of kernel offset j of output window o
  // (−1 where that offset falls on padding, which never wins).
  const expected = new Array<number>(offsets * product(outSpatial));
  const outCount = product(outSpatial);
  forEachIndex(w.kernel, (k, j) => {
    forEachIndex(outSpatial, (o, flat) => {
      let index = 0;
      for (let a = 0; a < n; a++) {
        const p = o[a] * w.strides[a] + k[a] * w.dilations[a] - w.pads[a];
        if (p < 0 || p >= inSpatial[a]) {
          index = -1;
          break;
        }
        index += p * planeStrides[a];
      }
      expected[j * outCount + flat] = index;
    });
  });
  const e = ctx.e;
  // onnxruntime's indices count from the start of the tensor (batch and channel included):
  // the remainder by the plane size is the position within the plane.
  let indices = indicesOf(ctx);
  // With ceil_mode, onnxruntime's shape inference can count one window more than its kernel makes
  // (a last window starting in the end padding); cutting the indices to the measured size keeps
  // the graph's static shapes consistent with the run.
  if (ctx.attrs.int('ceil_mode', 0) === 1) indices = e.slice(indices, outSpatial.map(() => 0), outSpatial, outSpatial.map((_d, a) => a + 2));
  const within = e.modulo(indices, planeSize);
  const wins = e.node('Equal', [e.unsqueeze(within, [2]), e.int64s(expected, [offsets, ...outSpatial], 'maxpool_offsets')]);
  const perOffset = e.where(wins, e.unsqueeze(ctx.dY[0], [2]), e.scalar(0));
  const stacked = e.reshape(perOffset, e.int64s([0, channels * offsets, ...outSpatial]));
  const oneHot = new Float32Array(channels * offsets * offsets);
  for (let c = 0; c < channels; c++) for (let j = 0; j < offsets; j++) oneHot[(c * offsets + j) * offsets + j] = 1;
  const kernel = e.floats(oneHot, [channels * offsets, 1, ...w.kernel], 'maxpool_onehot');
  return [spread(ctx, stacked, kernel, channels, w, inSpatial, outSpatial)];
};

const globalAveragePool: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const x = ctx.inputs[0];
  const size = product(ctx.dims(x).slice(2));
  const e = ctx.e;
  return [e.node('Expand', [e.mul(ctx.dY[0], e.scalar(1 / size)), e.shape(x)])];
};

export const poolingRules: Record<string, GradientRule> = { AveragePool: averagePool, MaxPool: maxPool, GlobalAveragePool: globalAveragePool };

