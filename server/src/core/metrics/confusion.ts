/**
 * Confusion counts, computed once per image in one pass; every overlap metric is arithmetic on
 * them (nnU-Net's evaluate_predictions). Undefined rules follow RESULTS.md "Metric conventions".
 */

export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface OverlapMetrics {
  /** 2|R∩P| / (|R|+|P|); 1 when R and P are both empty. */
  dice: number;
  /** |R∩P| / |R∪P|; 1 when R and P are both empty. */
  iou: number;
  /** TP/(TP+FN); undefined when R is empty. */
  sensitivity: number | undefined;
  /** TN/(TN+FP); undefined when R covers the image. */
  specificity: number | undefined;
  /** TP/(TP+FP); undefined when P is empty. */
  precision: number | undefined;
}

/**
 * Counts of a reference and a prediction mask of the same length. Masks hold 0/1 bytes; any
 * non-zero byte counts as foreground so that a stray 255 cannot corrupt the counts.
 */
export function computeConfusion(ref: Uint8Array, pred: Uint8Array): ConfusionCounts {
  if (ref.length !== pred.length) {
    throw new RangeError(`computeConfusion: reference has ${ref.length} pixels, prediction ${pred.length}`);
  }
  let refCount = 0;
  let predCount = 0;
  let both = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] === 0 ? 0 : 1;
    const p = pred[i] === 0 ? 0 : 1;
    refCount += r;
    predCount += p;
    both += r & p;
  }
  const tp = both;
  const fp = predCount - both;
  const fn = refCount - both;
  return { tp, fp, fn, tn: ref.length - tp - fp - fn };
}

export function emptyConfusion(): ConfusionCounts {
  return { tp: 0, fp: 0, fn: 0, tn: 0 };
}

/** Adds `b` into `a` (pooled counts over many images). */
export function addConfusion(a: ConfusionCounts, b: ConfusionCounts): ConfusionCounts {
  a.tp += b.tp;
  a.fp += b.fp;
  a.fn += b.fn;
  a.tn += b.tn;
  return a;
}

export function overlapMetrics(c: ConfusionCounts): OverlapMetrics {
  const refPixels = c.tp + c.fn;
  const predPixels = c.tp + c.fp;
  const union = c.tp + c.fp + c.fn;
  const bothEmpty = union === 0;
  return {
    dice: bothEmpty ? 1 : (2 * c.tp) / (refPixels + predPixels),
    iou: bothEmpty ? 1 : c.tp / union,
    sensitivity: refPixels === 0 ? undefined : c.tp / refPixels,
    specificity: c.tn + c.fp === 0 ? undefined : c.tn / (c.tn + c.fp),
    precision: predPixels === 0 ? undefined : c.tp / predPixels,
  };
}
