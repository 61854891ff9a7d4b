/**
 * One region's prediction from a model that predicts every region (dataset.regions): the cached
 * entry holds every output channel's quantised probability, channel volume after channel volume,
 * and each region reads its own from it, so a model runs once per case whatever the number of
 * regions.
 * - softmax over labels: the region's probability is the sum of its labels' channels (clamped to
 *   1), and its mask is where the most probable label is one of the region's — how nnU-Net turns a
 *   label prediction into regions. The argmax is taken on the float probabilities when the model
 *   runs and cached beside them (the first channel on a tie, as numpy's), so 16-bit rounding never
 *   decides a voxel's label;
 * - sigmoid, one channel per region: the region's channel, thresholded like a binary model.
 */
import { channelLabelsOf, regionChannelsProblem } from '../config/regions';
import type { RegionMapping } from '../config/types';
import { InputError } from '../findings';
import type { QuantisedPrediction } from '../results/predictionCache';

export const REGION_CHANNELS = 'model/region-channels';

/** The model's channels checked against what the region reads (the model's opening checked them already: this keeps a stray caller honest). */
function checkChannels(mapping: RegionMapping, planes: number, modelFile: string, modelName: string): void {
  const problem = regionChannelsProblem(mapping, planes);
  if (problem) throw new InputError(modelFile, `Model \`${modelName}\`: ${problem.message}`, REGION_CHANNELS);
}

/** The region `mapping` selects from an every-channel entry `all` (planes ≥ 1). */
export function regionPrediction(all: QuantisedPrediction, mapping: RegionMapping, modelFile: string, modelName: string): QuantisedPrediction {
  const planes = all.planes ?? 1;
  const n = all.width * all.height * all.depth;
  const q = all.prob;
  const base = { width: all.width, height: all.height, depth: all.depth };
  checkChannels(mapping, planes, modelFile, modelName);
  if (mapping.kind === 'sigmoid') return { ...base, prob: q.slice(mapping.channel * n, (mapping.channel + 1) * n) };
  const labels = channelLabelsOf(mapping, planes);
  const inRegion = labels.map((l) => mapping.labels.includes(l));
  const argmax = all.argmax ?? argmaxChannel(q, planes);
  const prob = new Uint16Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0, j = i; c < planes; c++, j += n) if (inRegion[c]) sum += q[j];
    prob[i] = sum > 65535 ? 65535 : sum;
    mask[i] = inRegion[argmax[i]] ? 1 : 0;
  }
  return { ...base, prob, mask };
}

/** The channel of highest value at each voxel of `planes` channel volumes (the first on a tie, as numpy's argmax). */
export function argmaxChannel(values: Float32Array | Uint16Array, planes: number): Uint8Array {
  if (planes > 255) throw new RangeError(`argmaxChannel: ${planes} channels do not fit a byte`);
  const n = values.length / planes;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = values[i];
    for (let c = 1, j = i + n; c < planes; c++, j += n) {
      if (values[j] > bestValue) {
        bestValue = values[j];
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}
