/**
 * Resize and Upsample, backwards. Along each resized axis the forward is linear, y = R x, with a
 * sparse R (1, 2 or 4 taps per output); the gradient is Rᵀ dy. R is rebuilt here with
 * onnxruntime's own arithmetic (float32 coordinates, its rounding and clamping), and Rᵀ is applied
 * as one Gather of the taps each input receives, a multiply by their weights and a sum:
 * O(taps) per element, never a dense matrix.
 */
import type { GradientRule, RuleContext } from '../types';
import { ints } from '../emitter';
import { applyTapsTranspose, type AxisTaps } from './taps';

const f = Math.fround;

export interface ResizeAxis {
  mode: 'nearest' | 'linear' | 'cubic';
  coordinates: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  /** The scale onnxruntime uses for this axis (given, or output/input size). */
  scale: number;
  input: number;
  output: number;
}

function original(x: number, a: ResizeAxis): number {
  const scale = f(a.scale);
  switch (a.coordinates) {
    case 'asymmetric':
      return f(x / scale);
    case 'pytorch_half_pixel':
      return a.output > 1 ? f(f(f(x + 0.5) / scale) - 0.5) : 0;
    case 'tf_half_pixel_for_nn':
      return f(f(x + 0.5) / scale);
    case 'half_pixel_symmetric': {
      // onnxruntime finishes this one in double and rounds once.
      const adjustment = f(a.output / f(scale * a.input));
      const offset = f(f(a.input / 2) * f(1 - adjustment));
      return f(offset + (x + 0.5) / scale - 0.5);
    }
    case 'align_corners':
      return a.output === 1 ? 0 : f(f(x * (a.input - 1)) / (a.output - 1));
    default: // half_pixel
      return f(f(f(x + 0.5) / scale) - 0.5);
  }
}

/** C's round: halves away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
}

/**
 * onnxruntime 1.30 counts a float32 coordinate within 1e-6 of a half-integer as a tie in the two
 * round_prefer modes (so that a tie exact arithmetic would make survives float32 rounding).
 */
function nearHalf(x: number): boolean {
  return Math.abs(x - (Math.floor(x) + 0.5)) < 1e-6;
}

function nearestIndex(x: number, a: ResizeAxis): number {
  let i: number;
  switch (a.nearest) {
    case 'simple':
      i = a.scale < 1 ? Math.ceil(x) : Math.trunc(x);
      break;
    case 'round_prefer_ceil':
      i = nearHalf(x) ? Math.floor(x) + 1 : roundHalfAway(x);
      break;
    case 'floor':
      i = Math.floor(x);
      break;
    case 'ceil':
      i = Math.ceil(x);
      break;
    default: // round_prefer_floor
      i = nearHalf(x) ? Math.floor(x) : roundHalfAway(x);
  }
  return Math.min(Math.max(i, 0), a.input - 1);
}

function cubicCoefficients(s: number, a: number): number[] {
  const t = Math.abs(s);
  return [
    f(((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a),
    f(((a + 2) * t - (a + 3)) * t * t + 1),
    f(((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1),
    f(((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a),
  ];
}

/** The taps of every output position of one resized axis, as onnxruntime samples them. */
export function axisTaps(a: ResizeAxis): AxisTaps {
  const taps: AxisTaps = [];
  for (let o = 0; o < a.output; o++) {
    const x = original(o, a);
    if (a.mode === 'nearest') {
      taps.push([{ index: nearestIndex(x, a), weight: 1 }]);
    } else if (a.mode === 'linear') {
      const c = f(Math.max(0, Math.min(x, a.input - 1)));
      const i1 = Math.min(Math.trunc(c), a.input - 1);
      const i2 = Math.min(i1 + 1, a.input - 1);
      if (i1 === i2) taps.push([{ index: i1, weight: 1 }]);
      else taps.push([{ index: i1, weight: f(Math.abs(c - i2)) }, { index: i2, weight: f(Math.abs(c - i1)) }]);
    } else {
      const base = Math.floor(x);
      const coefficients = cubicCoefficients(f(x - base), a.cubicA);
      let sum = 1;
      if (a.excludeOutside) {
        sum = 0;
        for (let k = 0; k < 4; k++) {
          const i = base - 1 + k;
          if (i < 0 || i >= a.input) coefficients[k] = 0;
          sum += coefficients[k];
        }
      }
      taps.push(coefficients.map((c, k) => ({ index: Math.min(Math.max(base - 1 + k, 0), a.input - 1), weight: c / sum })));
    }
  }
  return taps;
}

/** The factor s when output o reads input ⌊o/s⌋ alone (integer nearest upsampling), else undefined. */
function blockFactor(taps: AxisTaps, input: number): number | undefined {
  const s = taps.length / input;
  if (!Number.isInteger(s) || s < 1) return undefined;
  for (let o = 0; o < taps.length; o++) if (taps[o].length !== 1 || taps[o][0].index !== Math.floor(o / s) || taps[o][0].weight !== 1) return undefined;
  return s;
}

/**
 * Integer nearest upsampling of the spatial axes of an N, C, spatial… tensor (the usual U-Net
 * decoder): each input's gradient is the sum of its s₁×s₂… block, an AveragePool times the block
 * size — one pass, where the general gather path copies every value twice.
 */
function blockSumFastPath(ctx: RuleContext, grad: string, inDims: readonly number[], outDims: readonly number[], tapsOf: (axis: number) => AxisTaps): string | undefined {
  const rank = inDims.length;
  if (rank < 3 || outDims[0] !== inDims[0] || outDims[1] !== inDims[1]) return undefined;
  const factors: number[] = [];
  for (let axis = 2; axis < rank; axis++) {
    const s = outDims[axis] === inDims[axis] ? 1 : blockFactor(tapsOf(axis), inDims[axis]);
    if (s === undefined) return undefined;
    factors.push(s);
  }
  const e = ctx.e;
  const pooled = e.node('AveragePool', [grad], [ints('kernel_shape', factors), ints('strides', factors)], 'resize_block_sum');
  return e.mul(pooled, e.scalar(factors.reduce((a, b) => a * b, 1)));
}

/**
 * The scale onnxruntime uses per axis: given (input or, before opset 9, attribute), else output
 * over input size; with opset 18's `axes`, the given values are for those axes only, and a kept
 * aspect ratio applies one scale (the smallest or largest of the asked ones) to all of them.
 */
function scalesOf(ctx: RuleContext, inDims: readonly number[], outDims: readonly number[]): number[] {
  const rank = inDims.length;
  const axes = ctx.attrs.has('axes') ? ctx.attrs.ints('axes', []).map((a) => (a < 0 ? a + rank : a)) : Array.from({ length: rank }, (_, i) => i);
  const full = (given: readonly number[]) => {
    const out = new Array<number>(rank).fill(1);
    axes.forEach((a, i) => (out[a] = f(given[i])));
    return out;
  };
  // Upsample-9 and Resize-10: (X, scales); Resize-11+: (X, roi, scales, sizes); Upsample-7: attribute.
  const scalesInput = ctx.op === 'Resize' && ctx.e.opset >= 11 ? ctx.inputs[2] : ctx.inputs[1];
  if (scalesInput) {
    const values = ctx.values(scalesInput);
    if (values.length === axes.length) return full(values);
  }
  const attribute = ctx.node.attribute?.find((a) => a.name === 'scales')?.floats;
  if (attribute && attribute.length === rank) return attribute.map((v) => f(Number(v)));
  const policy = ctx.attrs.string('keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch' && ctx.inputs[3]) {
    const sizes = ctx.values(ctx.inputs[3]);
    const ratios = axes.map((a, i) => f(sizes[i] / inDims[a]));
    const one = ratios.reduce((m, r) => (policy === 'not_larger' ? Math.min(m, r) : Math.max(m, r)));
    return full(axes.map(() => one));
  }
  return outDims.map((o, i) => f(o / inDims[i]));
}

const resize: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const x = ctx.inputs[0];
  const inDims = ctx.dims(x);
  const outDims = ctx.dims(ctx.outputs[0]);
  const rank = inDims.length;
  if (ctx.op === 'Resize' && ctx.attrs.int('antialias', 0) !== 0) ctx.unsupported('antialiased resizing');
  const coordinates = ctx.op === 'Upsample' || ctx.e.opset < 11 ? 'asymmetric' : ctx.attrs.string('coordinate_transformation_mode', 'half_pixel');
  if (coordinates === 'tf_crop_and_resize') ctx.unsupported('tf_crop_and_resize');
  let mode = ctx.attrs.string('mode', 'nearest');
  if (mode === 'bilinear' || mode === 'trilinear') mode = 'linear';
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic') ctx.unsupported(`mode ${mode}`);
  const nearest = ctx.op === 'Upsample' || ctx.e.opset < 11 ? 'simple' : ctx.attrs.string('nearest_mode', 'round_prefer_floor');
  // onnxruntime copies the input when no size changes, whatever the scales say.
  if (outDims.every((d, i) => d === inDims[i])) return [ctx.dY[0]];
  const used = scalesOf(ctx, inDims, outDims);
  const axisSettings = (axis: number): ResizeAxis => ({
    mode: mode as ResizeAxis['mode'],
    coordinates,
    nearest,
    cubicA: ctx.attrs.float('cubic_coeff_a', -0.75),
    excludeOutside: ctx.attrs.int('exclude_outside', 0) === 1,
    scale: used[axis],
    input: inDims[axis],
    output: outDims[axis],
  });
  const pooled = blockSumFastPath(ctx, ctx.dY[0], inDims, outDims, (axis) => axisTaps(axisSettings(axis)));
  if (pooled) return [pooled];
  let grad = ctx.dY[0];
  for (let axis = 0; axis < rank; axis++) {
    // onnxruntime leaves an axis alone when its scale is 1 or its size does not change, whatever the mode.
    if (outDims[axis] === inDims[axis] || used[axis] === 1) continue;
    if (ctx.batched(x, axis)) ctx.unsupported('resizing along the batch axis');
    const taps = axisTaps(axisSettings(axis));
    // Earlier axes are already back at their input size, later ones still at their output size.
    grad = applyTapsTranspose(ctx, grad, axis, outDims.slice(axis + 1), taps, inDims[axis]);
  }
  return [grad];
};

export const resizeRules: Record<string, GradientRule> = { Resize: resize, Upsample: resize };
