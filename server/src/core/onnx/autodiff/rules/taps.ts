/**
 * Operators that are linear along an axis with a sparse map (Resize's interpolation, Slice with
 * steps, Pad's reflect/edge/wrap modes, Tile): each output position reads a few input positions
 * with weights ("taps"). The gradient along that axis is the transposed map, applied as a Gather
 * of the output gradients each input position received, a multiply by their weights and a sum.
 */
import { int } from '../emitter';
import type { RuleContext } from '../types';

/** Input taps (index, weight) of each output position along one axis; an empty list reads nothing. */
export type AxisTaps = { index: number; weight: number }[][];

/**
 * Rᵀ along `axis` of `grad`, where R maps the input axis (length `inputSize`) to the output axis
 * by `taps`; `trailing` are the static dims after the axis. One Gather of the taps each input
 * position receives, a multiply by their weights and a sum.
 */
export function applyTapsTranspose(ctx: RuleContext, grad: string, axis: number, trailing: readonly number[], taps: AxisTaps, inputSize: number): string {
  const rank = axis + 1 + trailing.length;
  // Per input position, the outputs that read it and with what weight.
  const received: { index: number; weight: number }[][] = Array.from({ length: inputSize }, () => []);
  taps.forEach((list, o) => {
    for (const t of list) {
      const entry = received[t.index].find((r) => r.index === o);
      if (entry) entry.weight += t.weight;
      else received[t.index].push({ index: o, weight: t.weight });
    }
  });
  let width = 1;
  for (const r of received) width = Math.max(width, r.length);
  const indices = new Array<number>(inputSize * width).fill(0);
  const weights = new Float64Array(inputSize * width);
  received.forEach((list, i) => list.forEach((r, k) => {
    indices[i * width + k] = r.index;
    weights[i * width + k] = r.weight;
  }));
  const e = ctx.e;
  const gathered = e.node('Gather', [grad, e.int64s(indices)], [int('axis', axis)], 'resize_taps');
  const split = e.reshape(gathered, e.int64s([...new Array<number>(axis).fill(0), inputSize, width, ...trailing]));
  const weighted = e.mul(split, e.floats(weights, [inputSize, width, ...new Array<number>(rank - axis - 1).fill(1)], 'resize_weights'));
  return e.reduceSum(weighted, [axis + 1], false);
}

