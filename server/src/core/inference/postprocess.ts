/**
 * From a model's score map to a foreground probability map and a binary mask: activation over
 * channels, the foreground channel, bilinear resize back to the reference size, threshold.
 */
import type { ModelOutputConfig } from '../config/types';
import { InputError } from '../findings';
import { resizeBilinear } from './resize';

/** The finding code of a model whose scores are NaN or infinite (predict.ts gives it the image's context). */
export const NON_FINITE_SCORES = 'model/non-finite-output';

/** Shape of one sample of a score map (no batch axis). */
export interface ScoreMapShape {
  channels: number;
  height: number;
  width: number;
  layout: 'NCHW' | 'NHWC';
}

/**
 * Reads the score-map shape from an output tensor's dims: 4-D in the model's layout, or 3-D
 * [N, H, W] (one score per pixel).
 */
export function scoreMapShape(dims: readonly number[], layout: 'NCHW' | 'NHWC'): ScoreMapShape {
  if (dims.length === 3) return { channels: 1, height: dims[1], width: dims[2], layout };
  if (dims.length !== 4) throw new Error(`the output has shape [${dims.join(',')}]; expected [N, C, H, W] or [N, H, W, C]`);
  return layout === 'NCHW'
    ? { channels: dims[1], height: dims[2], width: dims[3], layout }
    : { channels: dims[3], height: dims[1], width: dims[2], layout };
}

/** The foreground channel: the configured one, or 0 for a one-channel output. */
export function foregroundChannel(shape: ScoreMapShape, output: Pick<ModelOutputConfig, 'channel'>): number {
  if (shape.channels === 1) return 0;
  if (output.channel < 0 || output.channel >= shape.channels) {
    throw new Error(`output channel ${output.channel} is out of range: the model gives ${shape.channels} channels`);
  }
  return output.channel;
}

/** Number of NaN or infinite values in `values[start, end)`. */
export function countNonFinite(values: Float32Array, start = 0, end = values.length): number {
  let bad = 0;
  for (let i = start; i < end; i++) if (!Number.isFinite(values[i])) bad++;
  return bad;
}

/**
 * Foreground probability (H·W, row-major) of one sample whose scores start at `offset`.
 * sigmoid: σ(score of the channel); softmax: over channels, the channel's share; none: the
 * channel's value as it is.
 */
export function foregroundProbability(
  scores: Float32Array,
  shape: ScoreMapShape,
  output: Pick<ModelOutputConfig, 'activation' | 'channel'>,
  offset = 0,
): Float32Array {
  const { channels: C, layout } = shape;
  const n = shape.height * shape.width;
  const fg = foregroundChannel(shape, output);
  const prob = new Float32Array(n);
  // Index of channel c of pixel i: NCHW planes or NHWC interleaved.
  const pixelStride = layout === 'NCHW' ? 1 : C;
  const channelStride = layout === 'NCHW' ? n : 1;
  const first = offset + fg * channelStride;
  switch (output.activation) {
    case 'none':
      for (let i = 0, s = first; i < n; i++, s += pixelStride) prob[i] = scores[s];
      break;
    case 'sigmoid':
      for (let i = 0, s = first; i < n; i++, s += pixelStride) prob[i] = 1 / (1 + Math.exp(-scores[s]));
      break;
    case 'softmax':
      for (let i = 0; i < n; i++) {
        const p = offset + i * pixelStride;
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, scores[p + c * channelStride]);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(scores[p + c * channelStride] - max);
        prob[i] = Math.exp(scores[p + fg * channelStride] - max) / sum;
      }
      break;
  }
  return prob;
}

/**
 * Every channel's probability (C planes of H·W, plane after plane) of one sample: softmax over the
 * channels, sigmoid of each, or the scores as they are. What a region evaluation caches once and
 * reads every region from (evaluate/regionPrediction.ts).
 */
export function allChannelProbabilities(scores: Float32Array, shape: ScoreMapShape, activation: ModelOutputConfig['activation'], offset = 0): Float32Array {
  const { channels: C, layout } = shape;
  const n = shape.height * shape.width;
  const out = new Float32Array(C * n);
  const pixelStride = layout === 'NCHW' ? 1 : C;
  const channelStride = layout === 'NCHW' ? n : 1;
  for (let i = 0; i < n; i++) {
    const p = offset + i * pixelStride;
    if (activation === 'softmax') {
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, scores[p + c * channelStride]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(scores[p + c * channelStride] - max);
      for (let c = 0; c < C; c++) out[c * n + i] = Math.exp(scores[p + c * channelStride] - max) / sum;
    } else if (activation === 'sigmoid') {
      for (let c = 0; c < C; c++) out[c * n + i] = 1 / (1 + Math.exp(-scores[p + c * channelStride]));
    } else {
      for (let c = 0; c < C; c++) out[c * n + i] = scores[p + c * channelStride];
    }
  }
  return out;
}

/** Each of `planes` planes (plane after plane) at another size (bilinear, half-pixel centres). */
export function resizePlanes(planes: Float32Array, count: number, width: number, height: number, toWidth: number, toHeight: number): Float32Array {
  if (width === toWidth && height === toHeight) return planes;
  const n = width * height;
  const m = toWidth * toHeight;
  const out = new Float32Array(count * m);
  for (let c = 0; c < count; c++) out.set(resizeBilinear(planes.subarray(c * n, (c + 1) * n), width, height, toWidth, toHeight), c * m);
  return out;
}

/** A probability plane at another size (bilinear, half-pixel centres). */
export function resizeProbability(prob: Float32Array, width: number, height: number, toWidth: number, toHeight: number): Float32Array {
  if (width === toWidth && height === toHeight) return prob;
  return resizeBilinear(prob, width, height, toWidth, toHeight);
}

/** p ≥ threshold → 1, else 0. */
export function thresholdProbability(prob: Float32Array, threshold: number, out: Uint8Array = new Uint8Array(prob.length), outOffset = 0): Uint8Array {
  for (let i = 0; i < prob.length; i++) out[outOffset + i] = prob[i] >= threshold ? 1 : 0;
  return out;
}

/** Who produced a score map, for the errors about it. */
export interface ScoreSource {
  modelName: string;
  modelFile: string;
  output: Pick<ModelOutputConfig, 'activation' | 'channel' | 'planes'>;
  layout: 'NCHW' | 'NHWC';
  /** [H, W] of the model input: probability maps are brought to this size. */
  size: [number, number];
}

/**
 * One sample's foreground probability at the model size from its raw scores (`dims`: the output's
 * dims, batch axis first). Scores that are not all finite are refused: a model that returns NaN on
 * an image is that image's failure, not a silently empty mask.
 */
export function scoresToProbability(scores: Float32Array, dims: readonly number[], from: ScoreSource, offset = 0): Float32Array {
  const shape = scoreMapShape(dims, from.layout);
  const sampleLength = shape.channels * shape.height * shape.width;
  if (countNonFinite(scores, offset, offset + sampleLength) > 0) {
    throw new InputError(from.modelFile, `Model \`${from.modelName}\` produced NaN or infinite scores.`, NON_FINITE_SCORES);
  }
  if (from.output.planes === 'all') {
    // Regions read every channel: the planes come back one after another, each at the model size.
    const planes = allChannelProbabilities(scores, shape, from.output.activation, offset);
    return resizePlanes(planes, shape.channels, shape.width, shape.height, from.size[1], from.size[0]);
  }
  const prob = foregroundProbability(scores, shape, from.output, offset);
  return resizeProbability(prob, shape.width, shape.height, from.size[1], from.size[0]);
}
