/**
 * All metrics of one image (or volume): confusion counts once, overlap metrics from them, AUROC
 * from a reused score histogram, surface distances from the bounding-box-cropped EDT.
 */
import type { MetricName } from '../config/types';
import { computeConfusion, overlapMetrics, type ConfusionCounts } from './confusion';
import type { Spacing } from './distance';
import { imageAuroc } from './imageAuroc';
import type { PooledCounts } from './pooled';
import { surfaceDistances } from './surface';

/** What the kernels need of a mask (BinaryMask fits): 0/1 bytes, x fastest, then y, then z. */
export interface MaskLike {
  width: number;
  height: number;
  depth: number;
  data: Uint8Array;
  /** Pixel size (x, y, z); [1, 1, 1] when absent. */
  spacing?: Spacing;
}

/**
 * One image's metrics. Every wanted metric has its key, with `undefined` where the metric is
 * undefined for this image (RESULTS.md); metrics not wanted are absent, and so is `auroc` when no
 * probability map was given. Pixel counts are those of the per_image.csv columns.
 */
export type ImageMetrics = { [K in MetricName]?: number | undefined } & {
  ref_pixels: number;
  pred_pixels: number;
  confusion: ConfusionCounts;
};

export interface ImageMetricOptions {
  /** Distances are in these units; default: the reference's `spacing`, else [1, 1, 1]. */
  spacing?: Spacing;
  /** Also adds this image's confusion counts (and scores, when `prob` is given) to a dataset sum. */
  pooled?: PooledCounts;
}

export function computeImageMetrics(
  ref: MaskLike,
  pred: MaskLike | Uint8Array,
  prob: Float32Array | Uint16Array | undefined,
  wanted: readonly MetricName[],
  options: ImageMetricOptions = {},
): ImageMetrics {
  const count = ref.width * ref.height * ref.depth;
  const predData = pred instanceof Uint8Array ? pred : pred.data;
  if (!(pred instanceof Uint8Array) && (pred.width !== ref.width || pred.height !== ref.height || pred.depth !== ref.depth)) {
    throw new RangeError(
      `computeImageMetrics: prediction is ${pred.width}×${pred.height}×${pred.depth}, reference ${ref.width}×${ref.height}×${ref.depth}`,
    );
  }
  if (ref.data.length !== count || predData.length !== count || (prob && prob.length !== count)) {
    throw new RangeError(`computeImageMetrics: expected ${count} pixels in the reference, prediction and probabilities`);
  }
  const confusion = computeConfusion(ref.data, predData);
  const result: ImageMetrics = {
    ref_pixels: confusion.tp + confusion.fn,
    pred_pixels: confusion.tp + confusion.fp,
    confusion,
  };
  const want = new Set(wanted);
  const overlap = overlapMetrics(confusion);
  if (want.has('dice')) result.dice = overlap.dice;
  if (want.has('iou')) result.iou = overlap.iou;
  if (want.has('sensitivity')) result.sensitivity = overlap.sensitivity;
  if (want.has('specificity')) result.specificity = overlap.specificity;
  if (want.has('precision')) result.precision = overlap.precision;

  if (prob && want.has('auroc')) result.auroc = imageAuroc(prob, ref.data);
  const pooled = options.pooled;
  if (pooled) {
    pooled.add(confusion);
    // Pixels go straight into the pooled histogram: linear in the image, not in the 65,536 bins.
    if (prob) pooled.addScores(prob, ref.data);
  }

  if (want.has('hd95')) {
    const spacing = options.spacing ?? ref.spacing ?? [1, 1, 1];
    result.hd95 = surfaceDistances(ref.data, predData, [ref.width, ref.height, ref.depth], spacing).hd95;
  }
  return result;
}
