/**
 * Normalisation layers in inference form, backwards.
 * - BatchNormalization: y = (x − μ)·γ/√(σ² + ε) + β with stored statistics, so dX = dY·γ/√(σ² + ε).
 * - InstanceNormalization and LayerNormalization normalise with the sample's own statistics:
 *   with x̂ = (x − mean)/s over the normalised axes and g = dY·γ,
 *   dX = (g − mean(g) − x̂·mean(g·x̂)) / s.
 * - GroupNormalization: the same over each group of channels (PyTorch exports GroupNorm as Reshape →
 *   InstanceNormalization → Reshape → Mul → Add, which the rules above cover too).
 */
import type { GradientRule, RuleContext } from '../types';
import { axisOf, channelVector } from './broadcast';

/** dX of a normalisation over `axes` of x, given g = dY ⊙ γ (γ already applied). */
function normalizedGradient(ctx: RuleContext, x: string, g: string, axes: number[], epsilon: number): string {
  const e = ctx.e;
  const mean = e.reduceMean(x, axes, true);
  const centred = e.sub(x, mean);
  const variance = e.reduceMean(e.mul(centred, centred), axes, true);
  const inverse = e.node('Reciprocal', [e.node('Sqrt', [e.add(variance, e.scalar(epsilon))])]);
  const xhat = e.mul(centred, inverse);
  const inner = e.sub(e.sub(g, e.reduceMean(g, axes, true)), e.mul(xhat, e.reduceMean(e.mul(g, xhat), axes, true)));
  return e.mul(inner, inverse);
}

function rejectImageDependentParameters(ctx: RuleContext, from: number): void {
  for (let i = from; i < ctx.inputs.length; i++) if (ctx.needs[i]) ctx.unsupported('normalisation parameters that depend on the image');
}

const batchNormalization: GradientRule = (ctx) => {
  rejectImageDependentParameters(ctx, 1);
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  if (ctx.attrs.int('training_mode', 0) !== 0) ctx.unsupported('batch statistics (training_mode 1)');
  const e = ctx.e;
  const [x, scale, , , variance] = ctx.inputs;
  const factor = e.div(scale, e.node('Sqrt', [e.add(variance, e.scalar(ctx.attrs.float('epsilon', 1e-5)))]));
  return [e.mul(ctx.dY[0], channelVector(ctx, factor, ctx.dims(x).length))];
};

const instanceNormalization: GradientRule = (ctx) => {
  rejectImageDependentParameters(ctx, 1);
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const [x, scale] = ctx.inputs;
  const rank = ctx.dims(x).length;
  const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  return [normalizedGradient(ctx, x, ctx.e.mul(ctx.dY[0], channelVector(ctx, scale, rank)), axes, ctx.attrs.float('epsilon', 1e-5))];
};

const layerNormalization: GradientRule = (ctx) => {
  rejectImageDependentParameters(ctx, 1);
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const [x, scale] = ctx.inputs;
  const rank = ctx.dims(x).length;
  const axis = axisOf(ctx.attrs.int('axis', -1), rank);
  const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
  // The scale has the normalised axes' shape and broadcasts from the right.
  return [normalizedGradient(ctx, x, ctx.e.mul(ctx.dY[0], scale), axes, ctx.attrs.float('epsilon', 1e-5))];
};

const groupNormalization: GradientRule = (ctx) => {
  rejectImageDependentParameters(ctx, 1);
  if (!ctx.needs[0] || !ctx.dY[0]) return [];
  const e = ctx.e;
  const [x, scale] = ctx.inputs;
  const dims = ctx.dims(x);
  const groups = ctx.attrs.int('num_groups', 1);
  const grouped = (t: string) => e.reshape(t, e.int64s([0, groups, -1]));
  // Opset 18 scales per group, opset 21 per channel (the scale's length tells which).
  const perChannel = ctx.dims(scale)[0] === dims[1] && groups !== dims[1];
  const g = perChannel
    ? grouped(e.mul(ctx.dY[0], channelVector(ctx, scale, dims.length)))
    : e.mul(grouped(ctx.dY[0]), e.unsqueeze(scale, [1]));
  const dx = normalizedGradient(ctx, grouped(x), g, [2], ctx.attrs.float('epsilon', 1e-5));
  return [e.reshape(dx, e.shape(x))];
};

export const normalizationRules: Record<string, GradientRule> = {
  BatchNormalization: batchNormalization,
  InstanceNormalization: instanceNormalization,
  LayerNormalization: layerNormalization,
  GroupNormalization: groupNormalization,
};
