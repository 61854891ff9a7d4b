/** Conv and ConvTranspose over any number of spatial axes, with groups, from the operator definitions. */
import type { OpContext, OpKernel } from './op';
import { requireInput } from './op';
import { makeTensor, sizeOf, stridesOf } from './tensor';
import { windowGeometry, windowTaps } from './window';

const conv: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const w = requireInput(ctx, 1);
  const b = ctx.inputs[2];
  const [N, C, ...inSpatial] = x.dims;
  const [M, Cg, ...kernelFromW] = w.dims;
  const group = ctx.attrs.int('group', 1);
  const kernel = ctx.attrs.ints('kernel_shape') ?? kernelFromW;
  if (Cg * group !== C || M % group !== 0) {
    throw new Error(`Conv: weights [${w.dims.join(',')}] do not fit ${C} input channels in ${group} groups`);
  }
  const g = windowGeometry(ctx, inSpatial, kernel);
  const taps = windowTaps(g);
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(g.outSpatial);
  const kSize = sizeOf(kernel);
  const Mg = M / group;
  const out = new Float64Array(N * M * outSize);
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      const c0 = Math.floor(m / Mg) * Cg;
      const bias = b ? b.data[m] : 0;
      for (let o = 0; o < outSize; o++) {
        let s = bias;
        for (let c = 0; c < Cg; c++) {
          const xBase = (n * C + c0 + c) * inSize;
          const wBase = (m * Cg + c) * kSize;
          for (let k = 0; k < kSize; k++) {
            const t = taps[o * kSize + k];
            if (t >= 0) s += w.data[wBase + k] * x.data[xBase + t];
          }
        }
        out[(n * M + m) * outSize + o] = s;
      }
    }
  return makeTensor([N, M, ...g.outSpatial], out);
};

/**
 * Output size and leading crop per spatial axis. The full transposed convolution has
 * (in-1)·stride + output_padding + (k-1)·dilation + 1 positions; explicit pads crop it, and
 * output_shape or SAME auto_pad choose how much to crop at each end. Checked against
 * onnxruntime: NOTSET with output_shape crops like SAME_LOWER (the odd position at the head), and
 * an output_shape up to stride-1 past the full size keeps the head and extends the tail.
 */
function transposeGeometry(ctx: OpContext, inSpatial: number[], kernel: number[]): { out: number[]; head: number[] } {
  const rank = inSpatial.length;
  const ones = new Array<number>(rank).fill(1);
  const strides = ctx.attrs.ints('strides') ?? ones;
  const dilations = ctx.attrs.ints('dilations') ?? ones;
  const adjust = ctx.attrs.ints('output_padding') ?? new Array<number>(rank).fill(0);
  const pads = ctx.attrs.ints('pads') ?? new Array<number>(2 * rank).fill(0);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  const outputShape = ctx.attrs.ints('output_shape');
  const out: number[] = [];
  const head: number[] = [];
  for (let i = 0; i < rank; i++) {
    const full = (inSpatial[i] - 1) * strides[i] + adjust[i] + (kernel[i] - 1) * dilations[i] + 1;
    let size: number | undefined;
    if (outputShape && outputShape.length > 0) size = outputShape[outputShape.length - rank + i];
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') size = inSpatial[i] * strides[i];
    if (size !== undefined) {
      const total = Math.max(0, full - size);
      out.push(size);
      head.push(autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
    } else if (autoPad === 'VALID') {
      out.push(full);
      head.push(0);
    } else {
      out.push(full - pads[i] - pads[i + rank]);
      head.push(pads[i]);
    }
  }
  return { out, head };
}

const convTranspose: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const w = requireInput(ctx, 1);
  const b = ctx.inputs[2];
  const [N, C, ...inSpatial] = x.dims;
  const [Cw, Mg, ...kernelFromW] = w.dims;
  const group = ctx.attrs.int('group', 1);
  if (Cw !== C || C % group !== 0) throw new Error(`ConvTranspose: weights [${w.dims.join(',')}] do not fit ${C} input channels`);
  const kernel = ctx.attrs.ints('kernel_shape') ?? kernelFromW;
  const rank = inSpatial.length;
  const ones = new Array<number>(rank).fill(1);
  const strides = ctx.attrs.ints('strides') ?? ones;
  const dilations = ctx.attrs.ints('dilations') ?? ones;
  const { out: outSpatial, head } = transposeGeometry(ctx, inSpatial, kernel);
  const M = Mg * group;
  const Cg = C / group;
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(outSpatial);
  const kSize = sizeOf(kernel);
  const inStrides = stridesOf(inSpatial);
  const kStrides = stridesOf(kernel);
  const outStrides = stridesOf(outSpatial);
  // scatter[i * kSize + k]: the output position input position i reaches through tap k, or -1.
  const scatter = new Int32Array(inSize * kSize);
  for (let i = 0; i < inSize; i++)
    for (let k = 0; k < kSize; k++) {
      let o = 0;
      for (let a = 0; a < rank && o >= 0; a++) {
        const ic = Math.floor(i / inStrides[a]) % inSpatial[a];
        const kc = Math.floor(k / kStrides[a]) % kernel[a];
        const oc = ic * strides[a] + kc * dilations[a] - head[a];
        o = oc >= 0 && oc < outSpatial[a] ? o + oc * outStrides[a] : -1;
      }
      scatter[i * kSize + k] = o;
    }
  const out = new Float64Array(N * M * outSize);
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      const gi = Math.floor(m / Mg);
      const yBase = (n * M + m) * outSize;
      if (b) out.fill(b.data[m], yBase, yBase + outSize);
      for (let c = gi * Cg; c < (gi + 1) * Cg; c++) {
        const xBase = (n * C + c) * inSize;
        const wBase = (c * Mg + (m - gi * Mg)) * kSize;
        for (let i = 0; i < inSize; i++) {
          const xv = x.data[xBase + i];
          for (let k = 0; k < kSize; k++) {
            const o = scatter[i * kSize + k];
            if (o >= 0) out[yBase + o] += xv * w.data[wBase + k];
          }
        }
      }
    }
  return makeTensor([N, M, ...outSpatial], out);
};

export const convOps: Record<string, OpKernel> = { Conv: conv, ConvTranspose: convTranspose };
