/**
 * Seg-Grad-CAM channel weights without gradients: the fallback for graphs with an operator that
 * core/onnx/autodiff cannot differentiate. Grad-CAM weighs channel c by the spatial mean of
 * ∂y/∂A_c. That mean is a directional derivative: perturbing A along the all-ones direction of
 * channel c changes y by Σ_ij ∂y/∂A_cij per unit step. So each weight is one central difference
 *   w_c = (y(A + ε·1_c) − y(A − ε·1_c)) / (2ε) / (h·w)
 * through the graph's tail (the model cut at the layer), and all 2C perturbed activations go
 * through the tail in batches.
 *
 * Two errors pull ε in opposite directions. ReLU-like kinks that a step crosses add an error that
 * grows with ε; float32 rounding of a target summed over thousands of logits adds one that grows
 * as 1/ε (against autograd on a ResNet34 U-Net, ε = 1e-3·RMS(A) left deep-layer weights 2.5–10 %
 * off from rounding alone, ε = 1e-2·RMS about 0.5 % from each). So ε is chosen per layer and
 * image: central differences of a few probe channels on a ladder of steps, and the step where
 * neighbouring estimates agree best (`chooseStep`).
 */
import { activationScale, channelStrides, type FeatureMap } from './featureMap';

/** Runs perturbed activations through the model's tail and scores them. */
export interface TailEvaluator {
  /** Most samples one call takes (at least 1). */
  readonly maxBatch: number;
  /** The target score of each of `count` samples laid end to end in `samples` (each in the map's layout). */
  evaluate(samples: Float32Array, count: number, signal?: AbortSignal): Promise<Float64Array>;
}

/** Steps tried by `chooseStep`, relative to RMS(A): a ladder of half-decades. */
export const STEP_LADDER = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2];
/** Channels `chooseStep` probes (those with the largest activations, where kinks and rounding both show). */
const PROBE_CHANNELS = 4;

export interface GradCamOptions {
  /** ε relative to RMS(A); default: chosen by `chooseStep`. */
  relativeStep?: number;
  signal?: AbortSignal;
  onProgress?: (channelsDone: number, channels: number) => void;
}

export interface GradCamWeights {
  /** Per channel: spatial mean of ∂y/∂A_c. */
  weights: Float64Array;
  /** The step used. */
  epsilon: number;
  /** ε / RMS(A). */
  relativeStep: number;
  /** Tail evaluations (2 per channel, and the step choice's). */
  evaluations: number;
}

/** ε for a relative step: a power of two near relative × RMS(A), so that a ± ε is exact in float32 for (almost) every activation a. */
function stepFor(map: FeatureMap, relative: number): number {
  const scale = activationScale(map);
  return 2 ** Math.round(Math.log2(relative * (scale > 0 ? scale : 1)));
}

/** Central differences y(A + ε1_c) − y(A − ε1_c) for the given channels and steps, batched through the tail. */
async function centralDifferences(map: FeatureMap, tail: TailEvaluator, jobs: { channel: number; epsilon: number }[], signal?: AbortSignal): Promise<Float64Array> {
  const { height: h, width: w } = map;
  const sampleLength = map.data.length;
  const perCall = Math.max(1, Math.floor(tail.maxBatch / 2));
  const out = new Float64Array(jobs.length);
  for (let j0 = 0; j0 < jobs.length; j0 += perCall) {
    signal?.throwIfAborted();
    const j1 = Math.min(jobs.length, j0 + perCall);
    const count = 2 * (j1 - j0);
    const samples = new Float32Array(count * sampleLength);
    for (let j = j0; j < j1; j++) {
      const plus = 2 * (j - j0) * sampleLength;
      const minus = plus + sampleLength;
      samples.set(map.data, plus);
      samples.set(map.data, minus);
      const { start, step } = channelStrides(map, jobs[j].channel);
      const e = jobs[j].epsilon;
      for (let i = 0, s = start; i < h * w; i++, s += step) {
        samples[plus + s] += e;
        samples[minus + s] -= e;
      }
    }
    const y = await tail.evaluate(samples, count, signal);
    for (let j = j0; j < j1; j++) out[j] = (y[2 * (j - j0)] - y[2 * (j - j0) + 1]) / (2 * jobs[j].epsilon) / (h * w);
  }
  return out;
}

/**
 * The relative step where the estimates stabilise: central differences of the probe channels at
 * every step of the ladder, and the step k minimising Σ_c |D_c(k) − D_c(k+1)| + |D_c(k) − D_c(k−1)|
 * relative to the channels' size. Too small a step shows as rounding noise between neighbours,
 * too large a one as drift from kinks; where both are small the estimates agree.
 */
export async function chooseStep(map: FeatureMap, tail: TailEvaluator, signal?: AbortSignal): Promise<{ relativeStep: number; evaluations: number }> {
  const energy = Array.from({ length: map.channels }, (_, c) => {
    const { start, step } = channelStrides(map, c);
    let s = 0;
    for (let i = 0, k = start; i < map.height * map.width; i++, k += step) s += Math.abs(map.data[k]);
    return { c, s };
  });
  const probes = energy.sort((a, b) => b.s - a.s || a.c - b.c).slice(0, PROBE_CHANNELS).map((e) => e.c);
  const jobs = STEP_LADDER.flatMap((relative) => probes.map((channel) => ({ channel, epsilon: stepFor(map, relative) })));
  const d = await centralDifferences(map, tail, jobs, signal);
  const at = (k: number, p: number) => d[k * probes.length + p];
  let size = 0;
  for (let i = 0; i < d.length; i++) size = Math.max(size, Math.abs(d[i]));
  let best = 1;
  let bestDisagreement = Infinity;
  for (let k = 1; k < STEP_LADDER.length - 1; k++) {
    let disagreement = 0;
    for (let p = 0; p < probes.length; p++) disagreement += Math.abs(at(k, p) - at(k + 1, p)) + Math.abs(at(k, p) - at(k - 1, p));
    disagreement /= size > 0 ? size : 1;
    if (disagreement < bestDisagreement) {
      bestDisagreement = disagreement;
      best = k;
    }
  }
  return { relativeStep: STEP_LADDER[best], evaluations: 2 * jobs.length };
}

export async function gradCamWeights(map: FeatureMap, tail: TailEvaluator, options: GradCamOptions = {}): Promise<GradCamWeights> {
  let evaluations = 0;
  let relativeStep = options.relativeStep;
  if (relativeStep === undefined) {
    const chosen = await chooseStep(map, tail, options.signal);
    relativeStep = chosen.relativeStep;
    evaluations += chosen.evaluations;
  }
  const epsilon = stepFor(map, relativeStep);
  const C = map.channels;
  const weights = new Float64Array(C);
  const perCall = Math.max(1, Math.floor(tail.maxBatch / 2));
  for (let c0 = 0; c0 < C; c0 += perCall) {
    const c1 = Math.min(C, c0 + perCall);
    const jobs = Array.from({ length: c1 - c0 }, (_, k) => ({ channel: c0 + k, epsilon }));
    weights.set(await centralDifferences(map, tail, jobs, options.signal), c0);
    evaluations += 2 * jobs.length;
    options.onProgress?.(c1, C);
  }
  return { weights, epsilon, relativeStep, evaluations };
}
