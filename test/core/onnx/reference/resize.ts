/**
 * Resize (opset 10 to 20) and Upsample (opset 7 to 9), separably over axes: each axis maps every
 * output index to weighted input taps, then the tensor is resampled one axis at a time.
 *
 * Coordinates follow onnxruntime, which computes them in float32: every step of the coordinate
 * transformation is rounded with Math.fround, so nearest-neighbour ties and linear weights land
 * exactly where onnxruntime puts them. Scales given as sizes are float32 out/in, and an output
 * size from scales is trunc(float32(scale · in)).
 */
import type { OpContext, OpKernel } from './op';
import { optionalInput, requireInput, unsupported } from './op';
import { like, normalizeAxis, sizeOf, toInts, type RefTensor } from './tensor';

const f = Math.fround;

type Transform = (x: number, scale: number, outLen: number, inLen: number) => number;

const halfPixel: Transform = (x, scale) => f(f(f(x + 0.5) / scale) - 0.5);

const transforms: Record<string, Transform> = {
  half_pixel: halfPixel,
  pytorch_half_pixel: (x, scale, outLen) => (outLen > 1 ? halfPixel(x, scale, outLen, 0) : 0),
  align_corners: (x, _scale, outLen, inLen) => (outLen === 1 ? 0 : f(f(x * (inLen - 1)) / (outLen - 1))),
  asymmetric: (x, scale) => f(x / scale),
  tf_half_pixel_for_nn: (x, scale) => f(f(x + 0.5) / scale),
  // onnxruntime finishes this one in double (its 0.5 literals are doubles) and rounds once.
  half_pixel_symmetric: (x, scale, outLen, inLen) => {
    const adjustment = f(outLen / f(scale * inLen));
    const offset = f(f(inLen / 2) * f(1 - adjustment));
    return f(offset + (x + 0.5) / scale - 0.5);
  },
};

const roundHalfAway = (x: number): number => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);

/**
 * onnxruntime 1.30 treats a float32 coordinate within 1e-6 of a half-integer as a tie (measured:
 * 2 ulps from 6.5 is a tie, 3 ulps is not; 1 ulp from 30.5 is not), so that a tie the exact
 * arithmetic would make is not lost to float32 rounding. Only the two round_prefer modes do this.
 */
const TIE_TOLERANCE = 1e-6;
const nearHalf = (x: number): boolean => Math.abs(x - (Math.floor(x) + 0.5)) < TIE_TOLERANCE;

/** `simple` is the rule of Upsample and opset-10 Resize (no nearest_mode attribute then). */
const nearestRounding: Record<string, (x: number, downsampling: boolean) => number> = {
  round_prefer_floor: (x) => (nearHalf(x) ? Math.floor(x) : roundHalfAway(x)),
  round_prefer_ceil: (x) => (nearHalf(x) ? Math.floor(x) + 1 : roundHalfAway(x)),
  floor: (x) => Math.floor(x),
  ceil: (x) => Math.ceil(x),
  simple: (x, downsampling) => (downsampling ? Math.ceil(x) : Math.trunc(x)),
};

interface Tap {
  index: number;
  weight: number;
}

interface Mode {
  kind: string;
  transform: Transform;
  nearest: (x: number, downsampling: boolean) => number;
  cubicA: number;
  excludeOutside: boolean;
}

/** Keys' cubic convolution weights of the four taps around a point at fraction s past a tap. */
function cubicCoefficients(s: number, a: number): number[] {
  const w = (d: number) => (d <= 1 ? ((a + 2) * d - (a + 3)) * d * d + 1 : ((a * d - 5 * a) * d + 8 * a) * d - 4 * a);
  return [w(s + 1), w(s), w(1 - s), w(2 - s)];
}

const clampIndex = (i: number, n: number) => Math.min(Math.max(i, 0), n - 1);

function axisTaps(mode: Mode, inLen: number, outLen: number, scale: number): Tap[][] {
  const taps: Tap[][] = [];
  for (let o = 0; o < outLen; o++) {
    const x = mode.transform(o, scale, outLen, inLen);
    if (mode.kind === 'nearest') {
      taps.push([{ index: clampIndex(mode.nearest(x, scale < 1), inLen), weight: 1 }]);
    } else if (mode.kind === 'linear') {
      const c = Math.min(Math.max(x, 0), inLen - 1);
      const i1 = Math.min(Math.trunc(c), inLen - 1);
      const i2 = Math.min(i1 + 1, inLen - 1);
      taps.push(i1 === i2 ? [{ index: i1, weight: 1 }] : [{ index: i1, weight: i2 - c }, { index: i2, weight: c - i1 }]);
    } else {
      const i0 = Math.floor(x);
      const coefficients = cubicCoefficients(x - i0, mode.cubicA);
      const raw = coefficients.map((weight, k) => ({ index: i0 - 1 + k, weight }));
      const kept = mode.excludeOutside ? raw.filter((t) => t.index >= 0 && t.index < inLen) : raw;
      const sum = mode.excludeOutside ? kept.reduce((s, t) => s + t.weight, 0) : 1;
      taps.push(kept.map((t) => ({ index: clampIndex(t.index, inLen), weight: t.weight / sum })));
    }
  }
  return taps;
}

function resampleAxis(x: RefTensor, axis: number, taps: Tap[][]): RefTensor {
  const outer = sizeOf(x.dims.slice(0, axis));
  const inner = sizeOf(x.dims.slice(axis + 1));
  const inLen = x.dims[axis];
  const outLen = taps.length;
  const out = new Float64Array(outer * outLen * inner);
  for (let p = 0; p < outer; p++)
    for (let o = 0; o < outLen; o++)
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (const t of taps[o]) s += t.weight * x.data[(p * inLen + t.index) * inner + i];
        out[(p * outLen + o) * inner + i] = s;
      }
  return like(
    x,
    out,
    x.dims.map((d, a) => (a === axis ? outLen : d)),
  );
}

function resample(x: RefTensor, mode: Mode, scales: number[], outDims: number[]): RefTensor {
  let y = x;
  for (let a = 0; a < x.dims.length; a++) {
    // onnxruntime leaves an axis alone when its scale is 1 or its size does not change (measured:
    // 3 → 3 at scale 1.3 is the identity), whatever the coordinate transformation would say.
    if (scales[a] === 1 || outDims[a] === x.dims[a]) continue;
    y = resampleAxis(y, a, axisTaps(mode, x.dims[a], outDims[a], scales[a]));
  }
  return y;
}

function modeOf(ctx: OpContext, legacy: boolean): Mode {
  const kind = ctx.attrs.string('mode', 'nearest');
  if (!['nearest', 'linear', 'cubic'].includes(kind) || (legacy && kind === 'cubic')) unsupported(ctx, `mode ${kind}`);
  const ctm = legacy ? 'asymmetric' : ctx.attrs.string('coordinate_transformation_mode', 'half_pixel');
  const nearest = legacy ? 'simple' : ctx.attrs.string('nearest_mode', 'round_prefer_floor');
  if (!transforms[ctm]) unsupported(ctx, `coordinate_transformation_mode ${ctm}`);
  if (!nearestRounding[nearest]) unsupported(ctx, `nearest_mode ${nearest}`);
  if (ctx.attrs.int('antialias', 0) !== 0) unsupported(ctx, 'antialias');
  return {
    kind,
    transform: transforms[ctm],
    nearest: nearestRounding[nearest],
    cubicA: ctx.attrs.float('cubic_coeff_a', -0.75),
    excludeOutside: ctx.attrs.int('exclude_outside', 0) === 1,
  };
}

const outputFromScales = (dims: number[], scales: number[]) => dims.map((d, a) => Math.trunc(f(scales[a] * d)));

const resize: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const rank = x.dims.length;
  if (ctx.opset < 11) {
    const scales = Array.from(requireInput(ctx, 1).data, f);
    return resample(x, modeOf(ctx, true), scales, outputFromScales(x.dims, scales));
  }
  const axes = (ctx.attrs.ints('axes') ?? x.dims.map((_, i) => i)).map((a) => normalizeAxis(a, rank, 'Resize'));
  if (ctx.attrs.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch') unsupported(ctx, 'keep_aspect_ratio_policy');
  const given = optionalInput(ctx, 2);
  const sizesInput = optionalInput(ctx, 3);
  const scales = x.dims.map(() => 1);
  let outDims: number[];
  if (given) {
    axes.forEach((a, i) => (scales[a] = f(given.data[i])));
    outDims = outputFromScales(x.dims, scales);
  } else if (sizesInput) {
    const sizes = toInts(sizesInput);
    outDims = [...x.dims];
    axes.forEach((a, i) => {
      outDims[a] = sizes[i];
      scales[a] = f(sizes[i] / x.dims[a]);
    });
  } else {
    throw new Error('Resize: needs scales or sizes');
  }
  return resample(x, modeOf(ctx, false), scales, outDims);
};

/** Opset 7 takes the scales as an attribute, opset 9 as input 1. */
const upsample: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const scales = (ctx.opset < 9 ? (ctx.attrs.floats('scales') ?? []) : Array.from(requireInput(ctx, 1).data)).map(f);
  return resample(x, modeOf(ctx, true), scales, outputFromScales(x.dims, scales));
};

export const resizeOps: Record<string, OpKernel> = { Resize: resize, Upsample: upsample };
