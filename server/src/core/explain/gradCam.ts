/**
 * Seg-Grad-CAM channel weights without gradients. Grad-CAM weighs channel c by the spatial mean
 * of ∂y/∂A_c. That mean is a directional derivative: perturbing A along the all-ones direction of
 * channel c changes y by Σ_ij ∂y/∂A_cij per unit step. So each weight is one central difference
 *   w_c = (y(A + ε·1_c) − y(A − ε·1_c)) / (2ε) / (h·w)
 * through the graph's tail (the model cut at the layer), and all 2C perturbed activations go
 * through the tail in batches. For piecewise-linear tails (ReLU networks) the difference is exact
 * wherever no unit changes side within ±ε, so ε is small relative to the activations' scale;
 * large enough that float32 rounding of y stays far below the difference.
 */
import { activationScale, channelStrides, type FeatureMap } from './featureMap';

/** Runs perturbed activations through the model's tail and scores them. */
export interface TailEvaluator {
  /** Most samples one call takes (at least 1). */
  readonly maxBatch: number;
  /** The target score of each of `count` samples laid end to end in `samples` (each in the map's layout). */
  evaluate(samples: Float32Array, count: number, signal?: AbortSignal): Promise<Float64Array>;
}

/**
 * ε ≈ RELATIVE_STEP × RMS(A), rounded to a power of two. Against a float64 full gradient of random
 * U-Nets (test/core/explain/gradCam.test.ts) 1e-3 keeps the error under 2e-4 of the largest
 * weight; 1e-2 lets ReLU kinks into the difference, 1e-4 lets float32 rounding dominate.
 */
export const RELATIVE_STEP = 1e-3;

export interface GradCamOptions {
  relativeStep?: number;
  signal?: AbortSignal;
  onProgress?: (channelsDone: number, channels: number) => void;
}

export interface GradCamWeights {
  /** Per channel: spatial mean of ∂y/∂A_c. */
  weights: Float64Array;
  /** The step used. */
  epsilon: number;
  /** Tail evaluations (2 per channel). */
  evaluations: number;
}

export async function gradCamWeights(map: FeatureMap, tail: TailEvaluator, options: GradCamOptions = {}): Promise<GradCamWeights> {
  const { channels: C, height: h, width: w } = map;
  const scale = activationScale(map);
  // A power of two: then a ± ε is exact in float32 for every activation a with ulp(a) ≤ ε (all
  // but a few near a power-of-two boundary), so the direction taken is ε·1_c and not a rounded one.
  const epsilon = 2 ** Math.round(Math.log2((options.relativeStep ?? RELATIVE_STEP) * (scale > 0 ? scale : 1)));
  const sampleLength = map.data.length;
  const channelsPerCall = Math.max(1, Math.floor(tail.maxBatch / 2));
  const weights = new Float64Array(C);
  let evaluations = 0;
  for (let c0 = 0; c0 < C; c0 += channelsPerCall) {
    options.signal?.throwIfAborted();
    const c1 = Math.min(C, c0 + channelsPerCall);
    const count = 2 * (c1 - c0);
    const samples = new Float32Array(count * sampleLength);
    for (let c = c0; c < c1; c++) {
      const plus = 2 * (c - c0) * sampleLength;
      const minus = plus + sampleLength;
      samples.set(map.data, plus);
      samples.set(map.data, minus);
      const { start, step } = channelStrides(map, c);
      for (let i = 0, s = start; i < h * w; i++, s += step) {
        samples[plus + s] += epsilon;
        samples[minus + s] -= epsilon;
      }
    }
    const y = await tail.evaluate(samples, count, options.signal);
    evaluations += count;
    for (let c = c0; c < c1; c++) {
      const k = 2 * (c - c0);
      weights[c] = (y[k] - y[k + 1]) / (2 * epsilon) / (h * w);
    }
    options.onProgress?.(c1, C);
  }
  return { weights, epsilon, evaluations };
}
