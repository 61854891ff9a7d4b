/**
 * Numpy broadcasting, backwards: the gradient of an operand that was broadcast to the output's
 * shape is the output gradient summed over the axes it was stretched along (and over the leading
 * axes it lacked).
 */
import type { RuleContext } from '../types';

/** `grad` (shaped like `output`) summed down to the shape of `input`. */
export function unbroadcast(ctx: RuleContext, grad: string, input: string, output: string): string {
  return sumToShape(ctx, grad, input, ctx.dims(output), (a) => ctx.batched(output, a));
}

/**
 * `grad`, whose dims are `gradDims` (batch-following axes per `gradBatched`), summed down to the
 * shape of `input` (or to `inputDims`, a view of it with size-1 axes added, such as a vector as a row).
 */
export function sumToShape(ctx: RuleContext, grad: string, input: string, gradDims: readonly number[], gradBatched: (axis: number) => boolean, inputDims?: readonly number[]): string {
  const inDims = inputDims ?? ctx.dims(input);
  const lead = gradDims.length - inDims.length;
  const axes: number[] = [];
  for (let a = 0; a < gradDims.length; a++) {
    if (a < lead) {
      axes.push(a);
      continue;
    }
    const i = a - lead;
    if (inDims[i] !== 1) continue;
    // A size-1 axis was stretched if the gradient is longer there, or follows the batch where the input does not.
    if (gradDims[a] !== 1 || (gradBatched(a) && !ctx.batched(input, i))) axes.push(a);
  }
  if (axes.length === 0) return grad;
  const summed = ctx.e.reduceSum(grad, axes, true);
  return ctx.e.squeeze(summed, axes.filter((a) => a < lead));
}

/** A per-channel vector [C] shaped to broadcast against a tensor of `rank` whose channel axis is 1. */
export function channelVector(ctx: RuleContext, vector: string, rank: number): string {
  return ctx.e.unsqueeze(vector, Array.from({ length: rank - 2 }, (_, i) => i + 1));
}

/** Normalises a possibly negative axis. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
