/**
 * Mean Dice and the two kinds of error of one method over a (weighted) set of images, from the
 * per_image.csv counts. Type I: false-positive pixel rate FP/(FP+TN) pooled over the images, and
 * the share of images with an empty reference on which the method predicts anything. Type II:
 * false-negative pixel rate FN/(FN+TP) pooled, and the share of images with a lesion that the
 * method misses entirely (Dice 0).
 */
import type { PerImageRow } from '../results/perImage';

export interface SampleErrorRates {
  /** Mean Dice over images with a defined Dice (weighted by multiplicity). */
  dice: number | undefined;
  fpPixelRate: number | undefined;
  /** Images with an empty reference and any predicted pixel / images with an empty reference. */
  emptyRefFpRate: number | undefined;
  fnPixelRate: number | undefined;
  /** Images with a non-empty reference and Dice 0 / images with a non-empty reference. */
  missedRate: number | undefined;
  emptyRefImages: number;
  lesionImages: number;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : undefined);

/** `weights`: image id → how many times it is in the sample; ids without a row of this method are skipped. */
export function sampleErrorRates(rowsById: ReadonlyMap<string, PerImageRow>, weights: Iterable<[string, number]>): SampleErrorRates {
  let diceSum = 0, diceN = 0, fp = 0, tn = 0, fn = 0, tp = 0;
  let emptyRef = 0, emptyRefFp = 0, lesion = 0, missed = 0;
  for (const [id, w] of weights) {
    const r = rowsById.get(id);
    if (!r) continue;
    const dice = r.metrics.dice;
    if (dice !== undefined && !Number.isNaN(dice)) {
      diceSum += w * dice;
      diceN += w;
    }
    fp += w * r.fp;
    tn += w * r.tn;
    fn += w * r.fn;
    tp += w * r.tp;
    if (r.refPixels === 0) {
      emptyRef += w;
      if (r.predPixels > 0) emptyRefFp += w;
    } else {
      lesion += w;
      if (dice === 0) missed += w;
    }
  }
  return {
    dice: ratio(diceSum, diceN),
    fpPixelRate: ratio(fp, fp + tn),
    emptyRefFpRate: ratio(emptyRefFp, emptyRef),
    fnPixelRate: ratio(fn, fn + tp),
    missedRate: ratio(missed, lesion),
    emptyRefImages: emptyRef,
    lesionImages: lesion,
  };
}
