/**
 * ReduceMean, ReduceSum, ReduceMax, ReduceMin. Axes are an input from opset 13 for ReduceSum and
 * from 18 for the others (an attribute before); no axes means all axes unless
 * noop_with_empty_axes asks for the identity.
 */
import type { OpKernel } from './op';
import { requireInput } from './op';
import { axesOf } from './shape';
import { like, normalizeAxis, sizeOf, stridesOf } from './tensor';

function reduce(op: string, axesInputFrom: number, init: number, step: (acc: number, v: number) => number, finish = (acc: number, _n: number) => acc): OpKernel {
  return (ctx) => {
    const x = requireInput(ctx, 0);
    const rank = x.dims.length;
    const keepDims = ctx.attrs.int('keepdims', 1) === 1;
    const given = axesOf(ctx, axesInputFrom) ?? [];
    if (given.length === 0 && ctx.attrs.int('noop_with_empty_axes', 0) === 1) return like(x, x.data.slice());
    const axes = new Set(given.length > 0 ? given.map((a) => normalizeAxis(a, rank, op)) : x.dims.map((_, i) => i));
    const keptDims = x.dims.map((d, i) => (axes.has(i) ? 1 : d));
    const outStrides = stridesOf(keptDims);
    const inStrides = stridesOf(x.dims);
    const out = new Float64Array(sizeOf(keptDims)).fill(init);
    for (let k = 0; k < x.data.length; k++) {
      let o = 0;
      for (let a = 0; a < rank; a++) if (!axes.has(a)) o += (Math.floor(k / inStrides[a]) % x.dims[a]) * outStrides[a];
      out[o] = step(out[o], x.data[k]);
    }
    const count = x.data.length / out.length;
    for (let o = 0; o < out.length; o++) out[o] = finish(out[o], count);
    return like(
      x,
      out,
      keepDims ? keptDims : x.dims.filter((_, i) => !axes.has(i)),
    );
  };
}

export const reduceOps: Record<string, OpKernel> = {
  ReduceMean: reduce(
    'ReduceMean',
    18,
    0,
    (a, v) => a + v,
    (a, n) => a / n,
  ),
  ReduceSum: reduce('ReduceSum', 13, 0, (a, v) => a + v),
  ReduceMax: reduce('ReduceMax', 18, -Infinity, Math.max),
  ReduceMin: reduce('ReduceMin', 18, Infinity, Math.min),
};
