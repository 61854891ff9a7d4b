/** Gradients of broadcasting arithmetic: Add, Sub, Mul, Div, Pow, Max, Min, Sum, Mean, Where. */
import type { GradientRule, RuleContext } from '../types';
import { unbroadcast } from './broadcast';

/** For each input that needs one, `term(i)` (shaped like the output) summed to the input's shape. */
function perInput(ctx: RuleContext, term: (i: number, dy: string) => string): (string | undefined)[] {
  const dy = ctx.dY[0];
  if (!dy) return [];
  return ctx.inputs.map((input, i) => (ctx.needs[i] ? unbroadcast(ctx, term(i, dy), input, ctx.outputs[0]) : undefined));
}

/**
 * Max/Min of any number of tensors: the gradient goes to the operands equal to the result, split
 * evenly where several tie (as PyTorch splits a tie of two).
 */
const select: GradientRule = (ctx) => {
  const dy = ctx.dY[0];
  if (!dy) return [];
  const e = ctx.e;
  const y = ctx.outputs[0];
  const chosen = ctx.inputs.map((x) => e.toFloat(e.node('Equal', [x, y])));
  // Each mask is shaped like the output (an operand broadcasts to it), so their sum counts the ties.
  const share = e.div(dy, e.sum(chosen));
  return ctx.inputs.map((x, i) => (ctx.needs[i] ? unbroadcast(ctx, e.mul(share, chosen[i]), x, y) : undefined));
};

export const arithmeticRules: Record<string, GradientRule> = {
  Add: (ctx) => perInput(ctx, (_i, dy) => dy),
  Sub: (ctx) => perInput(ctx, (i, dy) => (i === 0 ? dy : ctx.e.neg(dy))),
  Mul: (ctx) => perInput(ctx, (i, dy) => ctx.e.mul(dy, ctx.inputs[1 - i])),
  Div: (ctx) =>
    perInput(ctx, (i, dy) => {
      const [, b] = ctx.inputs;
      // y = a/b: ∂y/∂a = 1/b, ∂y/∂b = −y/b.
      return i === 0 ? ctx.e.div(dy, b) : ctx.e.neg(ctx.e.div(ctx.e.mul(dy, ctx.outputs[0]), b));
    }),
  Pow: (ctx) =>
    perInput(ctx, (i, dy) => {
      const e = ctx.e;
      const [a, b] = ctx.inputs;
      // y = aᵇ: ∂y/∂a = b·aᵇ⁻¹, ∂y/∂b = y·ln a.
      if (i === 0) return e.mul(dy, e.mul(b, e.node('Pow', [a, e.sub(b, e.scalar(1))])));
      return e.mul(dy, e.mul(ctx.outputs[0], e.node('Log', [a])));
    }),
  Max: select,
  Min: select,
  Sum: (ctx) => perInput(ctx, (_i, dy) => dy),
  Mean: (ctx) => perInput(ctx, (_i, dy) => ctx.e.mul(dy, ctx.e.scalar(1 / ctx.inputs.length))),
  Where: (ctx) => {
    const dy = ctx.dY[0];
    if (!dy) return [];
    const e = ctx.e;
    const [condition, a, b] = ctx.inputs;
    const zero = e.scalar(0);
    return [
      undefined,
      ctx.needs[1] ? unbroadcast(ctx, e.where(condition, dy, zero), a, ctx.outputs[0]) : undefined,
      ctx.needs[2] ? unbroadcast(ctx, e.where(condition, zero, dy), b, ctx.outputs[0]) : undefined,
    ];
  },
};
