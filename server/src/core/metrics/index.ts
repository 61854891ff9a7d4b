/**
 * Metric kernels and their reduction. Kernels are pure functions over typed arrays (masks:
 * Uint8Array 0/1, x fastest, then y, then z; probabilities: Float32Array in [0, 1]); undefined
 * values are `undefined`, never NaN. Conventions: RESULTS.md "Metric conventions" and "Further
 * metrics and regions".
 */
export { computeConfusion, overlapMetrics, addConfusion, emptyConfusion } from './confusion';
export type { ConfusionCounts, OverlapMetrics } from './confusion';
export { ScoreHistogram, SCORE_BINS, scoreBin } from './auroc';
export type { RocCurve } from './auroc';
export { squaredDistanceTransform, squaredDistancesAt, DistanceScratch } from './distance';
export type { GridSize, Spacing } from './distance';
export { surfaceDistances, hausdorff95, averageSurfaceDistance, borderMask, SurfaceScratch } from './surface';
export type { SurfaceDistances } from './surface';
export { countingMetrics } from './counting';
export type { CountingMetrics, CountingOptions } from './counting';
export { surfaceDice, SurfaceDiceScratch } from './surfaceDice';
export { boundaryIou, defaultBoundaryWidth, BandScratch } from './boundaryIou';
export { skeletonize2d, skeletonPixels2d } from './skeleton';
export { skeletonize3d, skeletonVoxels3d } from './skeleton3d';
export { clDice } from './clDice';
export { metricDirection, isBetter, improvement } from './direction';
export type { MetricDirection } from './direction';
export { computeImageMetrics, DEFAULT_METRIC_SETTINGS } from './image';
export { imageAuroc } from './imageAuroc';
export type { ImageMetrics, ImageMetricOptions, MaskLike } from './image';
export { PooledCounts } from './pooled';
export type { PooledCountsData } from './pooled';
export { summarizeMetric, summarizeByGroup } from './aggregate';
export type { MetricSummary, SummaryOptions } from './aggregate';
export { quantileSorted } from './quantile';
export { createRandom } from './random';
export type { RandomSource } from './random';
