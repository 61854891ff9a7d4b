/**
 * The score a segmentation CAM explains (Seg-Grad-CAM, Vinogradova et al. 2020): the foreground
 * scores of the model's output summed over a fixed set of pixels M, either the model's own
 * predicted mask or the reference mask. The scores are the output as the graph gives it (logits
 * for `sigmoid`/`softmax` models, probabilities for `none`), before the engine's activation.
 */
import type { ModelOutputConfig } from '../config/types';
import { foregroundChannel, resizeBilinear, type ScoreMapShape } from '../inference';

/** Pixel indices (row-major, at the output's resolution) of the target region. */
export type TargetRegion = Uint32Array;

/** Σ over the region of sample `sample`'s foreground score, in float64. */
export function targetScore(scores: Float32Array, shape: ScoreMapShape, output: Pick<ModelOutputConfig, 'channel'>, region: TargetRegion, sample = 0): number {
  const n = shape.height * shape.width;
  const fg = foregroundChannel(shape, output);
  const base = sample * n * shape.channels;
  let sum = 0;
  if (shape.layout === 'NCHW') {
    const first = base + fg * n;
    for (let k = 0; k < region.length; k++) sum += scores[first + region[k]];
  } else {
    const first = base + fg;
    for (let k = 0; k < region.length; k++) sum += scores[first + region[k] * shape.channels];
  }
  return sum;
}

/** Indices where a 0/1 mask is set. */
export function regionOf(mask: Uint8Array): TargetRegion {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) count++;
  const out = new Uint32Array(count);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/**
 * A binary mask at another resolution: bilinear (half-pixel centres, as the engine resizes
 * probabilities) and ≥ 0.5, so a mask and a probability map resized alike stay aligned.
 */
export function resizeMask(mask: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Uint8Array {
  if (width === toWidth && height === toHeight) return mask;
  const f = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) f[i] = mask[i] ? 1 : 0;
  const r = resizeBilinear(f, width, height, toWidth, toHeight);
  const out = new Uint8Array(r.length);
  for (let i = 0; i < r.length; i++) out[i] = r[i] >= 0.5 ? 1 : 0;
  return out;
}
