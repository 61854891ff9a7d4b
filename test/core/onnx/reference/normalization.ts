/**
 * BatchNormalization (inference), InstanceNormalization, LayerNormalization (with its Mean and
 * InvStdDev outputs) and GroupNormalization. Variances are the biased (population) ones.
 */
import type { OpKernel } from './op';
import { requireInput, unsupported } from './op';
import { broadcastOffsets, like, makeTensor, normalizeAxis, sizeOf, type RefTensor } from './tensor';

/** Mean and biased variance of `data[start + k·step]` for k < count. */
function moments(data: Float64Array, start: number, count: number, step = 1): [number, number] {
  let s = 0;
  for (let k = 0; k < count; k++) s += data[start + k * step];
  const mean = s / count;
  let v = 0;
  for (let k = 0; k < count; k++) {
    const d = data[start + k * step] - mean;
    v += d * d;
  }
  return [mean, v / count];
}

const batchNormalization: OpKernel = (ctx) => {
  if (ctx.attrs.int('training_mode', 0) !== 0) unsupported(ctx, 'training_mode = 1');
  const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => requireInput(ctx, i));
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const [N, C] = x.dims;
  const inner = sizeOf(x.dims.slice(2));
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const a = scale.data[c] / Math.sqrt(variance.data[c] + eps);
      const base = (n * C + c) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = (x.data[base + i] - mean.data[c]) * a + bias.data[c];
    }
  return like(x, out);
};

const instanceNormalization: OpKernel = (ctx) => {
  const [x, scale, bias] = [0, 1, 2].map((i) => requireInput(ctx, i));
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const [N, C] = x.dims;
  const inner = sizeOf(x.dims.slice(2));
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * inner;
      const [mean, variance] = moments(x.data, base, inner);
      const a = scale.data[c] / Math.sqrt(variance + eps);
      for (let i = 0; i < inner; i++) out[base + i] = (x.data[base + i] - mean) * a + bias.data[c];
    }
  return like(x, out);
};

/** Normalises over axes [axis, rank); Scale and B broadcast to X (right-aligned). */
const layerNormalization: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const scale = requireInput(ctx, 1);
  const bias = ctx.inputs[2];
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const axis = normalizeAxis(ctx.attrs.int('axis', -1), x.dims.length, 'LayerNormalization');
  const outer = sizeOf(x.dims.slice(0, axis));
  const inner = sizeOf(x.dims.slice(axis));
  const scaleAt = broadcastOffsets(x.dims, scale.dims);
  const biasAt = bias ? broadcastOffsets(x.dims, bias.dims) : undefined;
  const y = new Float64Array(x.data.length);
  const means = new Float64Array(outer);
  const invStd = new Float64Array(outer);
  for (let o = 0; o < outer; o++) {
    const [mean, variance] = moments(x.data, o * inner, inner);
    means[o] = mean;
    invStd[o] = 1 / Math.sqrt(variance + eps);
    for (let i = o * inner; i < (o + 1) * inner; i++) {
      y[i] = (x.data[i] - mean) * invStd[o] * scale.data[scaleAt[i]] + (bias && biasAt ? bias.data[biasAt[i]] : 0);
    }
  }
  const statDims = x.dims.map((d, i) => (i < axis ? d : 1));
  const outputs: RefTensor[] = [like(x, y)];
  if (ctx.outputCount > 1) outputs.push(makeTensor(statDims, means));
  if (ctx.outputCount > 2) outputs.push(makeTensor(statDims, invStd));
  return outputs;
};

/**
 * Statistics per (sample, group of C/G channels). Scale and bias are per group before opset 21
 * (the opset-18 definition onnxruntime expands) and per channel from 21.
 */
const groupNormalization: OpKernel = (ctx) => {
  const [x, scale, bias] = [0, 1, 2].map((i) => requireInput(ctx, i));
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const G = ctx.attrs.int('num_groups', 0);
  const [N, C] = x.dims;
  if (!(G > 0 && C % G === 0)) throw new Error(`GroupNormalization: ${C} channels do not split into ${G} groups`);
  const perChannel = ctx.opset >= 21;
  const spatial = sizeOf(x.dims.slice(2));
  const groupSize = (C / G) * spatial;
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++)
    for (let g = 0; g < G; g++) {
      const base = (n * G + g) * groupSize;
      const [mean, variance] = moments(x.data, base, groupSize);
      const inv = 1 / Math.sqrt(variance + eps);
      for (let i = 0; i < groupSize; i++) {
        const p = perChannel ? g * (C / G) + Math.floor(i / spatial) : g;
        out[base + i] = (x.data[base + i] - mean) * inv * scale.data[p] + bias.data[p];
      }
    }
  return like(x, out);
};

export const normalizationOps: Record<string, OpKernel> = {
  BatchNormalization: batchNormalization,
  InstanceNormalization: instanceNormalization,
  LayerNormalization: layerNormalization,
  GroupNormalization: groupNormalization,
};
