/** Matrix products, backwards: dA = dY Bᵀ, dB = Aᵀ dY (batched, broadcast axes summed). */
import type { GradientRule } from '../types';
import { sumToShape, unbroadcast } from './broadcast';

const matmul: GradientRule = (ctx) => {
  const dy = ctx.dY[0];
  if (!dy) return [];
  const e = ctx.e;
  const y = ctx.outputs[0];
  let [a, b] = ctx.inputs;
  let g = dy;
  // numpy's 1-D rules: a vector on the left is a row [1, K], on the right a column [K, 1]; the
  // output lacks that axis, so the gradient gets it back before the product and loses it after.
  const aVector = ctx.dims(a).length === 1;
  const bVector = ctx.dims(b).length === 1;
  const yDims = ctx.dims(y);
  let aDims = ctx.dims(a);
  let bDims = ctx.dims(b);
  let gDims = yDims;
  if (aVector) {
    a = e.unsqueeze(a, [0]);
    aDims = [1, ...aDims];
    g = e.unsqueeze(g, [gDims.length - (bVector ? 0 : 1)]);
    gDims = bVector ? [1] : [...gDims.slice(0, -1), 1, gDims[gDims.length - 1]];
  }
  if (bVector) {
    b = e.unsqueeze(b, [1]);
    bDims = [...bDims, 1];
    g = e.unsqueeze(g, [gDims.length]);
    gDims = [...gDims, 1];
  }
  const batchDims = gDims.slice(0, -2);
  const batched = (i: number) => i < yDims.length - (aVector ? 0 : 1) - (bVector ? 0 : 1) && ctx.batched(y, i);
  const swap = (t: string, rank: number) => e.transpose(t, [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2]);
  const back = (grad: string, operand: string, dims: readonly number[], vector: boolean, axis: number) => {
    const summed = sumToShape(ctx, grad, operand, [...batchDims, ...dims.slice(-2)], batched, dims);
    return vector ? e.squeeze(summed, [axis]) : summed;
  };
  return [
    ctx.needs[0] ? back(e.node('MatMul', [g, swap(b, bDims.length)]), ctx.inputs[0], aDims, aVector, 0) : undefined,
    ctx.needs[1] ? back(e.node('MatMul', [swap(a, aDims.length), g]), ctx.inputs[1], bDims, bVector, 1) : undefined,
  ];
};

const gemm: GradientRule = (ctx) => {
  const dy = ctx.dY[0];
  if (!dy) return [];
  const e = ctx.e;
  const [a, b, c] = ctx.inputs;
  const alpha = ctx.attrs.float('alpha', 1);
  const beta = ctx.attrs.float('beta', 1);
  const transA = ctx.attrs.int('transA', 0) === 1;
  const transB = ctx.attrs.int('transB', 0) === 1;
  const t = (x: string) => e.transpose(x, [1, 0]);
  const scaled = alpha === 1 ? dy : e.mul(dy, e.scalar(alpha));
  // Y = α A′B′ + βC with A′ = Aᵀ if transA: dA′ = α dY B′ᵀ, dB′ = α A′ᵀ dY.
  const bPrime = transB ? t(b) : b;
  const aPrime = transA ? t(a) : a;
  let da: string | undefined;
  let db: string | undefined;
  if (ctx.needs[0]) {
    const g = e.node('MatMul', [scaled, t(bPrime)]);
    da = transA ? t(g) : g;
  }
  if (ctx.needs[1]) {
    const g = e.node('MatMul', [t(aPrime), scaled]);
    db = transB ? t(g) : g;
  }
  const dc = c && ctx.needs[2] ? unbroadcast(ctx, beta === 1 ? dy : e.mul(dy, e.scalar(beta)), c, ctx.outputs[0]) : undefined;
  return [da, db, dc];
};

export const matmulRules: Record<string, GradientRule> = { MatMul: matmul, Gemm: gemm };
