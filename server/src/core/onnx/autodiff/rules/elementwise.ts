/**
 * Gradients of element-wise operators with one differentiable input: activations and unary maths.
 * Derivatives at kinks follow PyTorch's autograd (ReLU'(0) = 0, Clip and HardSigmoid pass the
 * gradient strictly inside their bounds), so heatmaps match a PyTorch user's.
 */
import type { GradientRule, RuleContext } from '../types';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** dX = dY ⊙ f'(X, Y), where `derivative` builds f' from the node's input and output tensors. */
function unary(derivative: (ctx: RuleContext, x: string, y: string) => string): GradientRule {
  return (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    return [ctx.e.mul(ctx.dY[0], derivative(ctx, ctx.inputs[0], ctx.outputs[0]))];
  };
}

/** dX = dY where `condition` holds, `otherwise` (a tensor or scalar, times dY) elsewhere. */
function gated(ctx: RuleContext, condition: string, otherwise: string | undefined): string {
  const e = ctx.e;
  const dy = ctx.dY[0]!;
  return e.where(condition, dy, otherwise === undefined ? e.scalar(0) : e.mul(dy, otherwise));
}

const passThrough: GradientRule = (ctx) => (ctx.needs[0] && ctx.dY[0] ? [ctx.dY[0]] : []);

export const elementwiseRules: Record<string, GradientRule> = {
  Identity: passThrough,
  Dropout: passThrough,
  Cast: passThrough,
  Relu: (ctx) => (ctx.needs[0] && ctx.dY[0] ? [gated(ctx, ctx.e.node('Greater', [ctx.inputs[0], ctx.e.scalar(0)]), undefined)] : []),
  LeakyRelu: (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    const alpha = ctx.attrs.float('alpha', 0.01);
    return [gated(ctx, ctx.e.node('Greater', [ctx.inputs[0], ctx.e.scalar(0)]), ctx.e.scalar(alpha))];
  },
  PRelu: (ctx) => {
    if (ctx.needs[1]) ctx.unsupported('a slope that depends on the image');
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    return [gated(ctx, ctx.e.node('Greater', [ctx.inputs[0], ctx.e.scalar(0)]), ctx.inputs[1])];
  },
  Elu: (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    const alpha = ctx.attrs.float('alpha', 1);
    // For x ≤ 0, d/dx α(eˣ − 1) = αeˣ = y + α.
    return [gated(ctx, ctx.e.node('Greater', [ctx.inputs[0], ctx.e.scalar(0)]), ctx.e.add(ctx.outputs[0], ctx.e.scalar(alpha)))];
  },
  Selu: (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    const alpha = ctx.attrs.float('alpha', 1.67326319217681884765625);
    const gamma = ctx.attrs.float('gamma', 1.05070102214813232421875);
    const e = ctx.e;
    // x > 0: γ; x ≤ 0: γαeˣ = y + γα.
    const slope = e.where(e.node('Greater', [ctx.inputs[0], e.scalar(0)]), e.scalar(gamma), e.add(ctx.outputs[0], e.scalar(gamma * alpha)));
    return [e.mul(ctx.dY[0], slope)];
  },
  Sigmoid: unary((ctx, _x, y) => ctx.e.mul(y, ctx.e.sub(ctx.e.scalar(1), y))),
  Tanh: unary((ctx, _x, y) => ctx.e.sub(ctx.e.scalar(1), ctx.e.mul(y, y))),
  Softplus: unary((ctx, x) => ctx.e.node('Sigmoid', [x])),
  Softsign: unary((ctx, x) => {
    const d = ctx.e.add(ctx.e.scalar(1), ctx.e.node('Abs', [x]));
    return ctx.e.node('Reciprocal', [ctx.e.mul(d, d)]);
  }),
  Exp: unary((_ctx, _x, y) => y),
  Log: unary((ctx, x) => ctx.e.node('Reciprocal', [x])),
  Sqrt: unary((ctx, _x, y) => ctx.e.div(ctx.e.scalar(0.5), y)),
  Neg: (ctx) => (ctx.needs[0] && ctx.dY[0] ? [ctx.e.neg(ctx.dY[0])] : []),
  Reciprocal: unary((ctx, _x, y) => ctx.e.neg(ctx.e.mul(y, y))),
  Abs: unary((ctx, x) => ctx.e.node('Sign', [x])),
  Erf: unary((ctx, x) => ctx.e.mul(ctx.e.scalar(TWO_OVER_SQRT_PI), ctx.e.node('Exp', [ctx.e.neg(ctx.e.mul(x, x))]))),
  Gelu: unary((ctx, x) => {
    const e = ctx.e;
    if (ctx.attrs.string('approximate', 'none') === 'tanh') {
      // y = x/2 (1 + tanh u), u = √(2/π)(x + 0.044715x³): y' = (1 + t)/2 + x/2 (1 − t²) u'.
      const k = Math.sqrt(2 / Math.PI);
      const x2 = e.mul(x, x);
      const u = e.mul(e.scalar(k), e.add(x, e.mul(e.scalar(0.044715), e.mul(x2, x))));
      const t = e.node('Tanh', [u]);
      const du = e.mul(e.scalar(k), e.add(e.scalar(1), e.mul(e.scalar(3 * 0.044715), x2)));
      const left = e.mul(e.scalar(0.5), e.add(e.scalar(1), t));
      const right = e.mul(e.mul(e.scalar(0.5), x), e.mul(e.sub(e.scalar(1), e.mul(t, t)), du));
      return e.add(left, right);
    }
    // y = x Φ(x): y' = Φ(x) + x φ(x), Φ(x) = (1 + erf(x/√2))/2.
    const phiCdf = e.mul(e.scalar(0.5), e.add(e.scalar(1), e.node('Erf', [e.mul(x, e.scalar(Math.SQRT1_2))])));
    const phi = e.mul(e.scalar(INV_SQRT_2PI), e.node('Exp', [e.mul(e.scalar(-0.5), e.mul(x, x))]));
    return e.add(phiCdf, e.mul(x, phi));
  }),
  Clip: (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    if (ctx.needs[1] || ctx.needs[2]) ctx.unsupported('bounds that depend on the image');
    const e = ctx.e;
    const x = ctx.inputs[0];
    // Opset < 11: bounds are attributes; from 11 optional scalar inputs.
    const low = ctx.inputs[1] || (ctx.attrs.has('min') ? e.scalar(ctx.attrs.float('min', 0)) : '');
    const high = ctx.inputs[2] || (ctx.attrs.has('max') ? e.scalar(ctx.attrs.float('max', 0)) : '');
    let inside: string | undefined;
    if (low) inside = e.node('Greater', [x, low]);
    if (high) {
      const below = e.node('Less', [x, high]);
      inside = inside ? e.node('And', [inside, below]) : below;
    }
    return [inside ? gated(ctx, inside, undefined) : ctx.dY[0]];
  },
  HardSigmoid: (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    const e = ctx.e;
    const alpha = ctx.attrs.float('alpha', 0.2);
    const beta = ctx.attrs.float('beta', 0.5);
    const z = e.add(e.mul(ctx.inputs[0], e.scalar(alpha)), e.scalar(beta));
    const inside = e.node('And', [e.node('Greater', [z, e.scalar(0)]), e.node('Less', [z, e.scalar(1)])]);
    return [e.where(inside, e.mul(ctx.dY[0], e.scalar(alpha)), e.scalar(0))];
  },
  HardSwish: (ctx) => {
    if (!ctx.needs[0] || !ctx.dY[0]) return [];
    const e = ctx.e;
    const x = ctx.inputs[0];
    // PyTorch: x < −3 → 0; −3 ≤ x ≤ 3 → x/3 + 1/2; x > 3 → 1.
    const middle = e.add(e.mul(x, e.scalar(1 / 3)), e.scalar(0.5));
    const slope = e.where(e.node('Less', [x, e.scalar(-3)]), e.scalar(0), e.where(e.node('Greater', [x, e.scalar(3)]), e.scalar(1), middle));
    return [e.mul(ctx.dY[0], slope)];
  },
};
