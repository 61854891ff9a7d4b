/** Reductions and softmax, backwards: broadcast the gradient back over the reduced axes. */
import type { GradientRule, RuleContext } from '../types';
import { axisOf } from './broadcast';

/** Axes a Reduce* node reduces (attribute before opset 13/18, input after), normalised and sorted. */
function reducedAxes(ctx: RuleContext, rank: number, inputFrom: number): number[] {
  let axes: readonly number[] | undefined;
  if (ctx.e.opset >= inputFrom) axes = ctx.inputs[1] ? ctx.values(ctx.inputs[1]) : undefined;
  else axes = ctx.attrs.has('axes') ? ctx.attrs.ints('axes', []) : undefined;
  if (!axes || axes.length === 0) {
    if (ctx.e.opset >= inputFrom && ctx.attrs.int('noop_with_empty_axes', 0) === 1) return [];
    return Array.from({ length: rank }, (_, i) => i);
  }
  return [...new Set(axes.map((a) => axisOf(a, rank)))].sort((a, b) => a - b);
}

function reduce(mean: boolean, inputFrom: number): GradientRule {
  return (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    const x = ctx.inputs[0];
    const dims = ctx.dims(x);
    const axes = reducedAxes(ctx, dims.length, inputFrom);
    if (axes.length === 0) return [ctx.dY[0]];
    const e = ctx.e;
    let g = ctx.attrs.int('keepdims', 1) === 1 ? ctx.dY[0] : e.unsqueeze(ctx.dY[0], axes);
    if (mean) {
      if (axes.some((a) => ctx.batched(x, a))) ctx.unsupported('a mean over the batch axis');
      g = e.mul(g, e.scalar(1 / axes.reduce((p, a) => p * dims[a], 1)));
    }
    return [e.node('Expand', [g, e.shape(x)])];
  };
}

/** Softmax axes: one axis from opset 13; before it the input is coerced to 2-D at `axis` (default 1). */
function softmaxAxes(ctx: RuleContext): number[] {
  const rank = ctx.dims(ctx.inputs[0]).length;
  if (ctx.e.opset >= 13) return [axisOf(ctx.attrs.int('axis', -1), rank)];
  const axis = axisOf(ctx.attrs.int('axis', 1), rank);
  return Array.from({ length: rank - axis }, (_, i) => axis + i);
}

const softmax: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const e = ctx.e;
  const y = ctx.outputs[0];
  const dy = ctx.dY[0];
  // dX = y ⊙ (dY − Σ dY ⊙ y)
  return [e.mul(y, e.sub(dy, e.reduceSum(e.mul(dy, y), softmaxAxes(ctx), true)))];
};

const logSoftmax: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const e = ctx.e;
  const dy = ctx.dY[0];
  // dX = dY − softmax(x) ⊙ Σ dY
  return [e.sub(dy, e.mul(e.node('Exp', [ctx.outputs[0]]), e.reduceSum(dy, softmaxAxes(ctx), true)))];
};

/** ReduceMax/ReduceMin: the gradient goes to the elements equal to the result, split evenly among ties. */
function reduceExtreme(): GradientRule {
  return (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    const x = ctx.inputs[0];
    const axes = reducedAxes(ctx, ctx.dims(x).length, 18);
    if (axes.length === 0) return [ctx.dY[0]];
    const e = ctx.e;
    const keep = ctx.attrs.int('keepdims', 1) === 1;
    const y = keep ? ctx.outputs[0] : e.unsqueeze(ctx.outputs[0], axes);
    const dy = keep ? ctx.dY[0] : e.unsqueeze(ctx.dY[0], axes);
    const hit = e.toFloat(e.node('Equal', [x, y]));
    return [e.mul(hit, e.div(dy, e.reduceSum(hit, axes, true)))];
  };
}

/** GlobalMaxPool: ReduceMax over the spatial axes, keeping them. */
const globalMaxPool: GradientRule = (ctx) => {
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const x = ctx.inputs[0];
  const axes = Array.from({ length: ctx.dims(x).length - 2 }, (_, i) => i + 2);
  const e = ctx.e;
  const hit = e.toFloat(e.node('Equal', [x, ctx.outputs[0]]));
  return [e.mul(hit, e.div(ctx.dY[0], e.reduceSum(hit, axes, true)))];
};

export const reductionRules: Record<string, GradientRule> = {
  ReduceSum: reduce(false, 13),
  ReduceMean: reduce(true, 18),
  ReduceMax: reduceExtreme(),
  ReduceMin: reduceExtreme(),
  GlobalMaxPool: globalMaxPool,
  Softmax: softmax,
  LogSoftmax: logSoftmax,
};
