/** MaxPool (with its Indices output), AveragePool, GlobalAveragePool and GlobalMaxPool. */
import type { OpKernel } from './op';
import { requireInput } from './op';
import { INT64, makeTensor, sizeOf, stridesOf, type RefTensor } from './tensor';
import { PAST_PADDING, windowGeometry, windowTaps } from './window';

function kernelShape(ctx: Parameters<OpKernel>[0]): number[] {
  const k = ctx.attrs.ints('kernel_shape');
  if (!k || k.length === 0) throw new Error(`${ctx.node.opType}: kernel_shape is required`);
  return k;
}

/**
 * A flat spatial index in column-major order (storage_order = 1), which is what the Indices
 * output holds then: the first spatial axis varies fastest.
 */
function columnMajor(index: number, spatial: number[]): number {
  const rowStrides = stridesOf(spatial);
  let result = 0;
  let step = 1;
  for (let a = 0; a < spatial.length; a++) {
    result += (Math.floor(index / rowStrides[a]) % spatial[a]) * step;
    step *= spatial[a];
  }
  return result;
}

const maxPool: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const [N, C, ...inSpatial] = x.dims;
  const g = windowGeometry(ctx, inSpatial, kernelShape(ctx), ctx.attrs.int('ceil_mode', 0) === 1);
  const taps = windowTaps(g);
  const storageOrder = ctx.attrs.int('storage_order', 0);
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(g.outSpatial);
  const kSize = sizeOf(g.kernel);
  const y = new Float64Array(N * C * outSize);
  const indices = new Float64Array(N * C * outSize);
  for (let nc = 0; nc < N * C; nc++)
    for (let o = 0; o < outSize; o++) {
      let best = -Infinity;
      let at = -1;
      for (let k = 0; k < kSize; k++) {
        const t = taps[o * kSize + k];
        // Strictly greater: the first maximum in row-major window order wins, as in onnxruntime.
        if (t >= 0 && (at < 0 || x.data[nc * inSize + t] > best)) {
          best = x.data[nc * inSize + t];
          at = t;
        }
      }
      y[nc * outSize + o] = best;
      // onnxruntime's indices count from the start of the whole tensor (batch and channel
      // included), in the storage order asked for; padding is never counted.
      indices[nc * outSize + o] = nc * inSize + (storageOrder === 1 ? columnMajor(at, inSpatial) : at);
    }
  const dims = [N, C, ...g.outSpatial];
  const outputs: RefTensor[] = [makeTensor(dims, y)];
  if (ctx.outputCount > 1) outputs.push(makeTensor(dims, indices, INT64));
  return outputs;
};

const averagePool: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const [N, C, ...inSpatial] = x.dims;
  const g = windowGeometry(ctx, inSpatial, kernelShape(ctx), ctx.attrs.int('ceil_mode', 0) === 1);
  const taps = windowTaps(g);
  const includePad = ctx.attrs.int('count_include_pad', 0) === 1;
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(g.outSpatial);
  const kSize = sizeOf(g.kernel);
  // The divisor counts the taps inside the input, or with count_include_pad the taps inside the
  // padded input; a ceil_mode tap past the end padding never counts (measured on onnxruntime).
  const divisors = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++)
    for (let k = 0; k < kSize; k++) {
      const t = taps[o * kSize + k];
      if (t >= 0 || (includePad && t !== PAST_PADDING)) divisors[o]++;
    }
  const y = new Float64Array(N * C * outSize);
  for (let nc = 0; nc < N * C; nc++)
    for (let o = 0; o < outSize; o++) {
      let s = 0;
      for (let k = 0; k < kSize; k++) {
        const t = taps[o * kSize + k];
        if (t >= 0) s += x.data[nc * inSize + t];
      }
      y[nc * outSize + o] = s / divisors[o];
    }
  return makeTensor([N, C, ...g.outSpatial], y);
};

function globalPool(reduce: (data: Float64Array, start: number, end: number) => number): OpKernel {
  return (ctx) => {
    const x = requireInput(ctx, 0);
    const [N, C, ...spatial] = x.dims;
    const inSize = sizeOf(spatial);
    const y = new Float64Array(N * C);
    for (let nc = 0; nc < N * C; nc++) y[nc] = reduce(x.data, nc * inSize, (nc + 1) * inSize);
    return makeTensor([N, C, ...spatial.map(() => 1)], y);
  };
}

export const poolOps: Record<string, OpKernel> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalPool((d, a, b) => {
    let s = 0;
    for (let i = a; i < b; i++) s += d[i];
    return s / (b - a);
  }),
  GlobalMaxPool: globalPool((d, a, b) => {
    let m = -Infinity;
    for (let i = a; i < b; i++) m = Math.max(m, d[i]);
    return m;
  }),
};
