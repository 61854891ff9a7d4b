/** MatMul (numpy semantics: batched, broadcasting, 1-D operands) and Gemm. */
import type { OpKernel } from './op';
import { requireInput } from './op';
import { broadcastDims, broadcastOffsets, makeTensor, sizeOf, transposeTensor, type RefTensor } from './tensor';

const matMul: OpKernel = (ctx) => {
  const a = requireInput(ctx, 0);
  const b = requireInput(ctx, 1);
  // A 1-D left operand is a row vector and a 1-D right operand a column; the added axis is dropped.
  const aDims = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bDims = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = aDims.slice(-2);
  const [K2, N] = bDims.slice(-2);
  if (K !== K2) throw new Error(`MatMul: [${a.dims.join(',')}] × [${b.dims.join(',')}] have inner sizes ${K} and ${K2}`);
  const batch = broadcastDims([aDims.slice(0, -2), bDims.slice(0, -2)], 'MatMul');
  // Broadcast matrix indices: each batch entry's offset, in units of whole matrices.
  const aAt = broadcastOffsets(batch, aDims.slice(0, -2));
  const bAt = broadcastOffsets(batch, bDims.slice(0, -2));
  const count = sizeOf(batch);
  const out = new Float64Array(count * M * N);
  for (let p = 0; p < count; p++) {
    const aBase = aAt[p] * M * K;
    const bBase = bAt[p] * K * N;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[aBase + i * K + k] * b.data[bBase + k * N + j];
        out[(p * M + i) * N + j] = s;
      }
  }
  const dims = [...batch];
  if (a.dims.length > 1) dims.push(M);
  if (b.dims.length > 1) dims.push(N);
  return makeTensor(dims, out);
};

/** Y = alpha·A'·B' + beta·C, A' and B' optionally transposed, C broadcast to [M, N]. */
const gemm: OpKernel = (ctx) => {
  const transpose2d = (t: RefTensor, flag: string) => (ctx.attrs.int(flag, 0) === 1 ? transposeTensor(t, [1, 0]) : t);
  const a = transpose2d(requireInput(ctx, 0), 'transA');
  const b = transpose2d(requireInput(ctx, 1), 'transB');
  const c = ctx.inputs[2];
  const alpha = ctx.attrs.float('alpha', 1);
  const beta = ctx.attrs.float('beta', 1);
  const [M, K] = a.dims;
  const N = b.dims[1];
  if (b.dims[0] !== K) throw new Error(`Gemm: A' is [${a.dims.join(',')}] and B' is [${b.dims.join(',')}]`);
  const cAt = c ? broadcastOffsets([M, N], c.dims) : undefined;
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a.data[i * K + k] * b.data[k * N + j];
      out[i * N + j] = alpha * s + (c && cAt ? beta * c.data[cAt[i * N + j]] : 0);
    }
  return makeTensor([M, N], out);
};

export const matmulOps: Record<string, OpKernel> = { MatMul: matMul, Gemm: gemm };
