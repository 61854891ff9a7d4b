/**
 * Where the heat of a map lies, measured against the reference and the prediction at the
 * reference's size: the share of the total heat on reference pixels, on type I errors (false
 * positives: predicted, not in the reference) and on type II errors (false negatives: in the
 * reference, missed). A model that "looks at the lesion" has most of its heat inside the
 * reference; heat on FP pixels is what it was misled by.
 */
export interface HeatFractions {
  /** Σ heat; the fractions are undefined when it is 0. */
  total: number;
  insideReference?: number;
  insidePrediction?: number;
  /** Type I errors: prediction without reference. */
  insideFalsePositives?: number;
  /** Type II errors: reference without prediction. */
  insideFalseNegatives?: number;
}

export function heatFractions(heat: ArrayLike<number>, reference: Uint8Array, prediction: Uint8Array): HeatFractions {
  if (reference.length !== heat.length || prediction.length !== heat.length) {
    throw new Error(`heatFractions: ${heat.length} heat values, ${reference.length} reference and ${prediction.length} prediction pixels`);
  }
  let total = 0;
  let ref = 0;
  let pred = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < heat.length; i++) {
    const h = heat[i];
    if (!(h > 0)) continue;
    total += h;
    const r = reference[i] !== 0;
    const p = prediction[i] !== 0;
    if (r) ref += h;
    if (p) pred += h;
    if (p && !r) fp += h;
    if (r && !p) fn += h;
  }
  if (total === 0) return { total };
  return { total, insideReference: ref / total, insidePrediction: pred / total, insideFalsePositives: fp / total, insideFalseNegatives: fn / total };
}
