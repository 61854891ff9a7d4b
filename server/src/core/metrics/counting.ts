/**
 * Counting metrics: arithmetic on the confusion counts computed once per image (confusion.ts),
 * as Metrics Reloaded and MONAI's confusion-matrix metrics define them. Undefined rules:
 * RESULTS.md "Further metrics and regions" (and its "Settled details").
 */
import type { ConfusionCounts } from './confusion';

export interface CountingMetrics {
  /** Matthews correlation; undefined when a row or column of the confusion matrix is all zero. */
  mcc: number | undefined;
  /** TN/(TN+FN); undefined when P covers the image. */
  npv: number | undefined;
  /** (1+β²)TP / ((1+β²)TP + β²FN + FP); 1 when both masks are empty. */
  fbeta: number;
  /** Cohen's κ over pixels; undefined when both masks are the same constant image. */
  kappa: number | undefined;
  /** 1 − |FN − FP| / (2TP + FP + FN); 1 when both masks are empty. */
  volume_similarity: number;
  /** (|P| − |R|) / |R|, signed; undefined when R is empty. */
  rvd: number | undefined;
  /** ||P| − |R|| in mL when a voxel volume is given, else in pixels. */
  avd: number;
}

export interface CountingOptions {
  /** β of Fβ (Metrics Reloaded's default is 1; RESULTS.md's `evaluation.fbeta_beta` defaults to 2). */
  beta: number;
  /** Volume of one voxel in mL (mm³ / 1000); absent: avd counts pixels. */
  voxelMl?: number;
}

export function countingMetrics(c: ConfusionCounts, options: CountingOptions): CountingMetrics {
  const { tp, fp, fn, tn } = c;
  const refPixels = tp + fn;
  const predPixels = tp + fp;
  const union = tp + fp + fn;
  const beta2 = options.beta * options.beta;
  return {
    mcc: matthews(c),
    npv: tn + fn === 0 ? undefined : tn / (tn + fn),
    fbeta: union === 0 ? 1 : ((1 + beta2) * tp) / ((1 + beta2) * tp + beta2 * fn + fp),
    kappa: cohensKappa(c),
    volume_similarity: union === 0 ? 1 : 1 - Math.abs(fn - fp) / (2 * tp + fp + fn),
    rvd: refPixels === 0 ? undefined : (predPixels - refPixels) / refPixels,
    avd: Math.abs(predPixels - refPixels) * (options.voxelMl ?? 1),
  };
}

function matthews(c: ConfusionCounts): number | undefined {
  const { tp, fp, fn, tn } = c;
  const predYes = tp + fp;
  const refYes = tp + fn;
  const refNo = tn + fp;
  const predNo = tn + fn;
  if (predYes === 0 || refYes === 0 || refNo === 0 || predNo === 0) return undefined;
  return (tp * tn - fp * fn) / Math.sqrt(predYes * refYes * refNo * predNo);
}

/**
 * κ = (p_o − p_e) / (1 − p_e), in the closed form of a 2×2 table, 2(TP·TN − FN·FP) /
 * ((TP+FP)(FP+TN) + (TP+FN)(FN+TN)), whose denominator is 0 exactly when both masks are the same
 * constant image (p_e = 1).
 */
function cohensKappa(c: ConfusionCounts): number | undefined {
  const { tp, fp, fn, tn } = c;
  const denominator = (tp + fp) * (fp + tn) + (tp + fn) * (fn + tn);
  if (denominator === 0) return undefined;
  return (2 * (tp * tn - fn * fp)) / denominator;
}
