/**
 * Score-CAM (Wang et al., 2020) for segmentation: each channel's activation, upsampled to the
 * input and min–max scaled to [0, 1], masks the (preprocessed) input; the masked input's score
 * is the mean foreground score over the target pixels (a mean rather than Seg-Grad-CAM's sum, so
 * that the softmax over channels does not depend on how many pixels the target has). Weights are
 * the softmax of those scores; the map is ReLU(Σ w_c A_c). It needs one run of the whole model per
 * channel, batched, and no gradient.
 */
import { resizeBilinear } from '../inference';
import { channelPlane, type FeatureMap } from './featureMap';

export interface ModelEvaluator {
  readonly maxBatch: number;
  /** The score of each of `count` preprocessed inputs laid end to end. */
  evaluate(inputs: Float32Array, count: number, signal?: AbortSignal): Promise<Float64Array>;
}

export interface InputShape {
  channels: number;
  height: number;
  width: number;
  layout: 'NCHW' | 'NHWC';
}

export interface ScoreCamWeights {
  weights: Float64Array;
  /** Score of the input masked by each channel. */
  scores: Float64Array;
  evaluations: number;
}

/** Channel c of the map, upsampled to the input and min–max scaled; all zeros for a constant channel. */
export function channelMask(map: FeatureMap, c: number, width: number, height: number): Float32Array {
  const plane = Float32Array.from(channelPlane(map, c));
  const up = resizeBilinear(plane, map.width, map.height, width, height);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < up.length; i++) {
    if (up[i] < min) min = up[i];
    if (up[i] > max) max = up[i];
  }
  const range = max - min;
  for (let i = 0; i < up.length; i++) up[i] = range > 0 ? (up[i] - min) / range : 0;
  return up;
}

export function softmax(values: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += out[i] = Math.exp(values[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export async function scoreCamWeights(
  map: FeatureMap,
  input: Float32Array,
  shape: InputShape,
  model: ModelEvaluator,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<ScoreCamWeights> {
  const C = map.channels;
  const n = shape.height * shape.width;
  const perCall = Math.max(1, model.maxBatch);
  const scores = new Float64Array(C);
  for (let c0 = 0; c0 < C; c0 += perCall) {
    options.signal?.throwIfAborted();
    const c1 = Math.min(C, c0 + perCall);
    const batch = new Float32Array((c1 - c0) * input.length);
    for (let c = c0; c < c1; c++) {
      const mask = channelMask(map, c, shape.width, shape.height);
      const base = (c - c0) * input.length;
      if (shape.layout === 'NCHW') {
        for (let k = 0; k < shape.channels; k++) for (let i = 0; i < n; i++) batch[base + k * n + i] = input[k * n + i] * mask[i];
      } else {
        for (let i = 0; i < n; i++) for (let k = 0; k < shape.channels; k++) batch[base + i * shape.channels + k] = input[i * shape.channels + k] * mask[i];
      }
    }
    const s = await model.evaluate(batch, c1 - c0, options.signal);
    scores.set(s.subarray(0, c1 - c0), c0);
    options.onProgress?.(c1, C);
  }
  return { weights: softmax(scores), scores, evaluations: C };
}
