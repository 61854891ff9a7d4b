/**
 * Convolutions, backwards. The gradient of a convolution with respect to its input is the
 * transposed convolution with the same weights (and the reverse), so both are one ONNX node:
 *   Conv:          dX = ConvTranspose(dY, W), output padding chosen so that dX has X's size;
 *   ConvTranspose: dX = Conv(dY, W), end padding reduced by the forward's output padding.
 * Weights keep their layout ([out, in/group, k…] for Conv is exactly ConvTranspose's
 * [in, out/group, k…] for the reverse direction) and are not flipped: ONNX's ConvTranspose is the
 * adjoint of its Conv, not a flipped-kernel convolution.
 */
import { int, ints } from '../emitter';
import type { GradientRule, RuleContext } from '../types';

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin of each spatial axis, end of each spatial axis]. */
  pads: number[];
}

/** Kernel, strides, dilations and explicit pads of a Conv/pool node, auto_pad resolved with static sizes. */
export function windowOf(ctx: RuleContext, inputSpatial: readonly number[], kernel: readonly number[]): Window {
  const n = inputSpatial.length;
  const strides = ctx.attrs.ints('strides', new Array(n).fill(1));
  const dilations = ctx.attrs.ints('dilations', new Array(n).fill(1));
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  let pads = ctx.attrs.ints('pads', new Array(2 * n).fill(0));
  if (autoPad === 'VALID') pads = new Array(2 * n).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array(2 * n).fill(0);
    for (let a = 0; a < n; a++) {
      const out = Math.ceil(inputSpatial[a] / strides[a]);
      const total = Math.max(0, (out - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1 - inputSpatial[a]);
      const small = Math.floor(total / 2);
      pads[a] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[a + n] = total - pads[a];
    }
  } else if (autoPad !== 'NOTSET') ctx.unsupported(`auto_pad ${autoPad}`);
  return { kernel: [...kernel], strides, dilations, pads };
}

/**
 * End pads and output padding for a transposed convolution from `outSpatial` (the forward's
 * output) back to `inSpatial`: the transposed size is (o−1)s − b + d(k−1) + 1 − e + p, and it must
 * equal the forward input's size.
 */
export function transposedPadding(ctx: RuleContext, w: Window, inSpatial: readonly number[], outSpatial: readonly number[]): { pads: number[]; outputPadding: number[] } {
  const n = inSpatial.length;
  const pads = [...w.pads];
  const outputPadding = new Array<number>(n).fill(0);
  for (let a = 0; a < n; a++) {
    const full = (outSpatial[a] - 1) * w.strides[a] - w.pads[a] + (w.kernel[a] - 1) * w.dilations[a] + 1;
    if (full >= inSpatial[a]) pads[a + n] = full - inSpatial[a];
    else {
      pads[a + n] = 0;
      outputPadding[a] = inSpatial[a] - full;
      if (outputPadding[a] >= Math.max(w.strides[a], w.dilations[a])) ctx.unsupported(`a window that leaves ${outputPadding[a]} trailing inputs unread`);
    }
  }
  return { pads, outputPadding };
}

/**
 * A convolution's weights as the weights of its adjoint run as a plain convolution: in and out
 * channels swapped within each group and the kernel flipped on every spatial axis. Written as
 * graph nodes on the weight tensor, which onnxruntime folds into a constant when the weights are
 * initializers.
 */
function adjointWeights(ctx: RuleContext, weights: string, group: number): string {
  const e = ctx.e;
  const [co, ciPerGroup, ...kernel] = ctx.dims(weights);
  const spatial = kernel.map((_k, i) => i + 2);
  let w = weights;
  if (group === 1) w = e.transpose(w, [1, 0, ...spatial]);
  else {
    const grouped = e.reshape(w, e.int64s([group, co / group, ciPerGroup, ...kernel]));
    const swapped = e.transpose(grouped, [0, 2, 1, ...spatial.map((a) => a + 1)]);
    w = e.reshape(swapped, e.int64s([group * ciPerGroup, co / group, ...kernel]));
  }
  const big = -(2 ** 62);
  return e.node('Slice', [w, e.int64s(spatial.map(() => -1)), e.int64s(spatial.map(() => big)), e.int64s(spatial), e.int64s(spatial.map(() => -1))], [], 'flipped_weights');
}

const conv: GradientRule = (ctx) => {
  if (ctx.needs[1] || ctx.needs[2]) ctx.unsupported('weights that depend on the image');
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const [x, weights] = ctx.inputs;
  const xDims = ctx.dims(x);
  const wDims = ctx.dims(weights);
  const group = ctx.attrs.int('group', 1);
  const w = windowOf(ctx, xDims.slice(2), ctx.attrs.ints('kernel_shape', wDims.slice(2)));
  const n = w.kernel.length;
  const e = ctx.e;
  if (w.strides.every((s) => s === 1) && e.opset >= 10) {
    // Stride 1: the adjoint is a convolution of dY with the flipped, channel-swapped kernel and
    // pads (k−1)d − p, which onnxruntime runs several times faster than ConvTranspose. A negative
    // pad (a forward pad wider than the kernel's reach) is a crop of dY instead.
    const reach = w.kernel.map((k, a) => (k - 1) * w.dilations[a]);
    const pads = [...reach.map((r, a) => r - w.pads[a]), ...reach.map((r, a) => r - w.pads[a + n])];
    const yDims = ctx.dims(ctx.outputs[0]);
    const cutAxes: number[] = [];
    const cutStarts: number[] = [];
    const cutEnds: number[] = [];
    for (let a = 0; a < n; a++) {
      if (pads[a] >= 0 && pads[a + n] >= 0) continue;
      cutAxes.push(a + 2);
      cutStarts.push(Math.max(0, -pads[a]));
      cutEnds.push(yDims[a + 2] - Math.max(0, -pads[a + n]));
      pads[a] = Math.max(0, pads[a]);
      pads[a + n] = Math.max(0, pads[a + n]);
    }
    const dy = e.slice(ctx.dY[0], cutStarts, cutEnds, cutAxes);
    const attributes = [ints('kernel_shape', w.kernel), ints('strides', w.strides), ints('dilations', w.dilations), ints('pads', pads), int('group', group)];
    return [e.node('Conv', [dy, adjointWeights(ctx, weights, group)], attributes, 'conv_grad')];
  }
  const { pads, outputPadding } = transposedPadding(ctx, w, xDims.slice(2), ctx.dims(ctx.outputs[0]).slice(2));
  const attributes = [ints('strides', w.strides), ints('dilations', w.dilations), ints('pads', pads), ints('output_padding', outputPadding), int('group', group)];
  return [e.node('ConvTranspose', [ctx.dY[0], weights], attributes, 'conv_grad')];
};

/**
 * Leading output positions a ConvTranspose crops (its begin padding), as onnxruntime places them:
 * explicit pads; or, with output_shape or SAME auto padding, the total crop split with the odd
 * position at the head (SAME_UPPER: at the tail).
 */
function transposedHead(ctx: RuleContext, inSpatial: readonly number[], outSpatial: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const n = inSpatial.length;
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  const outputPadding = ctx.attrs.ints('output_padding', new Array(n).fill(0));
  const pads = ctx.attrs.ints('pads', new Array(2 * n).fill(0));
  const sized = ctx.attrs.has('output_shape') || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER';
  return inSpatial.map((size, a) => {
    if (autoPad === 'VALID') return 0;
    if (!sized) return pads[a];
    const full = (size - 1) * strides[a] + outputPadding[a] + (kernel[a] - 1) * dilations[a] + 1;
    const total = Math.max(0, full - outSpatial[a]);
    return autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
  });
}

const convTranspose: GradientRule = (ctx) => {
  if (ctx.needs[1] || ctx.needs[2]) ctx.unsupported('weights that depend on the image');
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const [x, weights] = ctx.inputs;
  const xDims = ctx.dims(x);
  const yDims = ctx.dims(ctx.outputs[0]);
  const n = xDims.length - 2;
  const inSpatial = xDims.slice(2);
  const outSpatial = yDims.slice(2);
  const kernel = ctx.attrs.ints('kernel_shape', ctx.dims(weights).slice(2));
  const strides = ctx.attrs.ints('strides', new Array(n).fill(1));
  const dilations = ctx.attrs.ints('dilations', new Array(n).fill(1));
  const head = transposedHead(ctx, inSpatial, outSpatial, kernel, strides, dilations);
  // dX[i] = Σ_k W[k] dY[i·s + k·d − head]: a convolution of dY padded by `head` in front, reading
  // (i−1)s + d(k−1) + 1 − head positions of dY: cut dY to that, or pad it with zeros up to it.
  const e = ctx.e;
  const cutAxes: number[] = [];
  const cutEnds: number[] = [];
  const convPads = [...head, ...new Array<number>(n).fill(0)];
  for (let a = 0; a < n; a++) {
    const needed = (inSpatial[a] - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1 - head[a];
    if (outSpatial[a] > needed) {
      cutAxes.push(a + 2);
      cutEnds.push(needed);
    } else convPads[a + n] = needed - outSpatial[a];
  }
  const dy = e.slice(ctx.dY[0], cutAxes.map(() => 0), cutEnds, cutAxes);
  const attributes = [ints('kernel_shape', kernel), ints('strides', strides), ints('dilations', dilations), ints('pads', convPads), int('group', ctx.attrs.int('group', 1))];
  return [e.node('Conv', [dy, weights], attributes, 'convtranspose_grad')];
};

export const convolutionRules: Record<string, GradientRule> = { Conv: conv, ConvTranspose: convTranspose };
