/**
 * Saliency with respect to the input image, from exact gradients (one batched forward and backward
 * run per group of samples):
 * - `saliency` (Simonyan et al. 2014): max over channels of |∂y/∂x|;
 * - `smoothgrad` (Smilkov et al. 2017): that map averaged over copies of x with Gaussian noise of
 *   standard deviation `noise` × (max x − min x), seeded;
 * - `integrated-gradients` (Sundararajan et al. 2017): (x − x′) ⊙ the mean gradient at the midpoints
 *   of m steps on the straight path from the baseline x′ = 0 (the all-zero model input), summed over
 *   channels and kept where positive (evidence for the target).
 * The target's seed is fixed for all samples of one image (its prediction or reference mask).
 * Maps are at the model input's size.
 */
import type { ResolvedModelInput } from '../inference';
import { createRandom } from '../util/random';
import type { GradientRunner } from './gradientRunner';
import type { InputGradientMethod } from './methods';

export interface SaliencySettings {
  samples: number;
  noise: number;
  steps: number;
  seed: number;
}

export interface SaliencyMap {
  map: Float64Array;
  evaluations: number;
}

/** Runs every sample through the runner in batches; calls `take` with each sample's input gradient. */
async function gradients(runner: GradientRunner, samples: Float32Array[], seed: Float32Array, seedDims: readonly number[], take: (grad: Float32Array, k: number) => void, signal?: AbortSignal): Promise<void> {
  const length = samples[0].length;
  for (let k0 = 0; k0 < samples.length; k0 += runner.maxBatch) {
    signal?.throwIfAborted();
    const count = Math.min(runner.maxBatch, samples.length - k0);
    const inputs = new Float32Array(count * length);
    const seeds = new Float32Array(count * seed.length);
    for (let k = 0; k < count; k++) {
      inputs.set(samples[k0 + k], k * length);
      seeds.set(seed, k * seed.length);
    }
    const batch = await runner.run(inputs, count, seeds, seedDims);
    for (let k = 0; k < count; k++) take(batch.gradients.subarray(k * length, (k + 1) * length), k0 + k);
  }
}

/** Index of channel c of pixel i in a sample laid out as the model input. */
function at(input: ResolvedModelInput, c: number, i: number): number {
  const n = input.size[0] * input.size[1];
  return input.layout === 'NCHW' ? c * n + i : i * input.channels + c;
}

export async function inputSaliency(
  method: InputGradientMethod,
  runner: GradientRunner,
  x: Float32Array,
  seed: Float32Array,
  seedDims: readonly number[],
  input: ResolvedModelInput,
  settings: SaliencySettings,
  signal?: AbortSignal,
): Promise<SaliencyMap> {
  const pixels = input.size[0] * input.size[1];
  const C = input.channels;
  const map = new Float64Array(pixels);
  const maxAbs = (g: Float32Array, weight: number) => {
    for (let i = 0; i < pixels; i++) {
      let m = 0;
      for (let c = 0; c < C; c++) m = Math.max(m, Math.abs(g[at(input, c, i)]));
      map[i] += weight * m;
    }
  };
  if (method === 'saliency') {
    await gradients(runner, [x], seed, seedDims, (g) => maxAbs(g, 1), signal);
    return { map, evaluations: 1 };
  }
  if (method === 'smoothgrad') {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < x.length; i++) {
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    const sigma = settings.noise * (hi > lo ? hi - lo : 1);
    const random = createRandom(settings.seed);
    const samples = Array.from({ length: settings.samples }, () => Float32Array.from(x, (v) => v + sigma * random.normal()));
    await gradients(runner, samples, seed, seedDims, (g) => maxAbs(g, 1 / settings.samples), signal);
    return { map, evaluations: settings.samples };
  }
  // Integrated Gradients from the zero baseline: x·mean_k ∇y(((k + ½)/m)·x).
  const m = settings.steps;
  const samples = Array.from({ length: m }, (_, k) => Float32Array.from(x, (v) => ((k + 0.5) / m) * v));
  const sum = new Float64Array(x.length);
  await gradients(runner, samples, seed, seedDims, (g) => {
    for (let i = 0; i < g.length; i++) sum[i] += g[i];
  }, signal);
  for (let i = 0; i < pixels; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += (x[at(input, c, i)] * sum[at(input, c, i)]) / m;
    map[i] = s > 0 ? s : 0;
  }
  return { map, evaluations: m };
}
