/**
 * Sliding-window geometry shared by Conv and the pools: output size and padding from the
 * attributes (explicit pads or auto_pad, ceil_mode for pools), and a table of which input
 * position each output position reads through each kernel tap.
 */
import type { OpContext } from './op';
import { sizeOf, stridesOf } from './tensor';

export interface WindowGeometry {
  inSpatial: number[];
  outSpatial: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
}

/** A tap that falls on explicit padding, and one that falls past the padded end (ceil_mode). */
export const IN_PADDING = -1;
export const PAST_PADDING = -2;

function orOnes(values: number[] | undefined, rank: number): number[] {
  return values && values.length > 0 ? values : new Array<number>(rank).fill(1);
}

export function windowGeometry(ctx: OpContext, inSpatial: number[], kernel: number[], ceilMode = false): WindowGeometry {
  const rank = inSpatial.length;
  const op = ctx.node.opType;
  const strides = orOnes(ctx.attrs.ints('strides'), rank);
  const dilations = orOnes(ctx.attrs.ints('dilations'), rank);
  const pads = ctx.attrs.ints('pads') ?? new Array<number>(2 * rank).fill(0);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if (kernel.length !== rank || strides.length !== rank || dilations.length !== rank || pads.length !== 2 * rank) {
    throw new Error(`${op}: kernel_shape, strides, dilations and pads must match ${rank} spatial axes`);
  }
  const outSpatial: number[] = [];
  const padsBegin: number[] = [];
  const padsEnd: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dk = (kernel[i] - 1) * dilations[i] + 1;
    const s = strides[i];
    const n = inSpatial[i];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      // auto_pad ignores ceil_mode: the output is ceil(in / stride) either way.
      const out = Math.ceil(n / s);
      const total = Math.max(0, (out - 1) * s + dk - n);
      const head = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      outSpatial.push(out);
      padsBegin.push(head);
      padsEnd.push(total - head);
      continue;
    }
    let pb = pads[i];
    let pe = pads[i + rank];
    if (autoPad === 'VALID') pb = pe = 0;
    else if (autoPad !== 'NOTSET') throw new Error(`${op}: auto_pad ${autoPad} is not supported`);
    const span = n + pb + pe - dk;
    let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // onnxruntime (like PyTorch, unlike the ONNX shape inference) drops a last ceil_mode window
    // that would start past the input and its leading padding.
    if (ceilMode && (out - 1) * s >= n + pb) out--;
    outSpatial.push(out);
    padsBegin.push(pb);
    padsEnd.push(pe);
  }
  return { inSpatial, outSpatial, kernel, strides, dilations, padsBegin, padsEnd };
}

/**
 * `taps[o * kernelSize + k]`: the flat spatial input index that output position `o` reads through
 * kernel tap `k`, or IN_PADDING / PAST_PADDING.
 */
export function windowTaps(g: WindowGeometry): Int32Array {
  const rank = g.inSpatial.length;
  const outSize = sizeOf(g.outSpatial);
  const kSize = sizeOf(g.kernel);
  const inStrides = stridesOf(g.inSpatial);
  const outStrides = stridesOf(g.outSpatial);
  const kStrides = stridesOf(g.kernel);
  const taps = new Int32Array(outSize * kSize);
  for (let o = 0; o < outSize; o++) {
    for (let k = 0; k < kSize; k++) {
      let index = 0;
      let where = 0;
      for (let i = 0; i < rank; i++) {
        const oc = Math.floor(o / outStrides[i]) % g.outSpatial[i];
        const kc = Math.floor(k / kStrides[i]) % g.kernel[i];
        const c = oc * g.strides[i] - g.padsBegin[i] + kc * g.dilations[i];
        if (c < -g.padsBegin[i] || c >= g.inSpatial[i] + g.padsEnd[i]) where = PAST_PADDING;
        else if ((c < 0 || c >= g.inSpatial[i]) && where === 0) where = IN_PADDING;
        index += c * inStrides[i];
      }
      taps[o * kSize + k] = where < 0 ? where : index;
    }
  }
  return taps;
}
