/**
 * All metrics of one image (or volume): confusion counts once, overlap and counting metrics from
 * them, AUROC from a reused score histogram, the pixel-border distances (hd95, hd, assd, masd) from
 * one bounding-box-cropped EDT, and NSD, boundary IoU and clDice from their own kernels, each only
 * when selected.
 */
import type { MetricName, MetricSettings } from '../config/types';
import { boundaryIou, defaultBoundaryWidth } from './boundaryIou';
import { clDice } from './clDice';
import { computeConfusion, overlapMetrics, type ConfusionCounts } from './confusion';
import { countingMetrics } from './counting';
import type { GridSize, Spacing } from './distance';
import { imageAuroc } from './imageAuroc';
import type { PooledCounts } from './pooled';
import { surfaceDistances, unionBox } from './surface';
import { surfaceDice } from './surfaceDice';

/** RESULTS.md's defaults (the schema holds the same): τ = 1, band = 2 % of the diagonal, β = 2. */
export const DEFAULT_METRIC_SETTINGS: MetricSettings = { nsdTolerance: 1, boundaryWidth: 'auto', fbetaBeta: 2 };

const COUNTING: readonly MetricName[] = ['mcc', 'npv', 'kappa', 'fbeta', 'volume_similarity', 'rvd', 'avd'];
const DISTANCES: readonly MetricName[] = ['hd95', 'hd', 'assd', 'masd'];
const GEOMETRIC: readonly MetricName[] = [...DISTANCES, 'nsd', 'boundary_iou', 'cldice'];

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
  /** τ, band width and β of the further metrics; default DEFAULT_METRIC_SETTINGS. */
  settings?: MetricSettings;
  /** Volume of one voxel in mL: avd is in mL with it (NIfTI with a known spacing), else in pixels. */
  voxelMl?: number;
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

  const settings = options.settings ?? DEFAULT_METRIC_SETTINGS;
  if (COUNTING.some((m) => want.has(m))) {
    const counting = countingMetrics(confusion, { beta: settings.fbetaBeta, voxelMl: options.voxelMl });
    for (const m of COUNTING) if (want.has(m)) result[m] = counting[m as keyof typeof counting];
  }

  const size: GridSize = [ref.width, ref.height, ref.depth];
  const spacing = options.spacing ?? ref.spacing ?? [1, 1, 1];
  // One scan of the image finds the box every boundary kernel works in.
  const union = GEOMETRIC.some((m) => want.has(m)) ? unionBox(ref.data, predData, ref.width, ref.height, ref.depth) : undefined;
  if (DISTANCES.some((m) => want.has(m))) {
    const d = surfaceDistances(ref.data, predData, size, spacing, undefined, union);
    if (want.has('hd95')) result.hd95 = d.hd95;
    if (want.has('hd')) result.hd = d.hausdorff;
    if (want.has('assd')) result.assd = d.assd;
    if (want.has('masd')) result.masd = d.masd;
  }
  // NSD on the corner grid: marching-squares contour lengths in 2D, marching-cubes surfel areas in 3D.
  if (want.has('nsd')) result.nsd = surfaceDice(ref.data, predData, size, spacing, settings.nsdTolerance, undefined, 'auto', union);
  if (want.has('boundary_iou')) {
    const width = settings.boundaryWidth === 'auto' ? defaultBoundaryWidth(size) : settings.boundaryWidth;
    result.boundary_iou = boundaryIou(ref.data, predData, size, width, undefined, union);
  }
  if (want.has('cldice')) result.cldice = clDice(ref.data, predData, size, union);
  return result;
}
