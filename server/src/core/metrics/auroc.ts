/**
 * Pixel-level ROC AUC from fixed-size score histograms.
 *
 * Scores are quantised to 16 bits, bin = floor(p·65535 + 0.5) (round half up), because the
 * probability maps we write are 16-bit PNGs (value/65535): an AUROC computed now and one computed
 * later from those files are identical. Within 16-bit quantisation the AUROC is exact: it is the
 * Mann–Whitney U statistic over bins, with pairs of equal score counted half (the same value as
 * sklearn's `roc_auc_score` on the quantised scores). Per-image and pooled AUROC use the same
 * class; pooling merges histograms, so memory stays fixed (1 MiB) whatever the split's size.
 */

export const SCORE_BINS = 65536;
const TOP_BIN = SCORE_BINS - 1;

/** The histogram bin of a probability: clamped to [0, 1]; NaN counts as 0. */
export function scoreBin(p: number): number {
  return p >= 0 ? (p <= 1 ? (p * TOP_BIN + 0.5) | 0 : TOP_BIN) : 0;
}

export interface RocCurve {
  /** False-positive rate, ascending from 0 to 1. */
  fpr: number[];
  /** True-positive rate at the same points. */
  tpr: number[];
  /** Score threshold of each point (score ≥ threshold is positive); Infinity for the (0, 0) point. */
  thresholds: number[];
}

export class ScoreHistogram {
  /** Counts of reference-foreground pixels per score bin (Float64: exact up to 2^53 pixels). */
  readonly positives = new Float64Array(SCORE_BINS);
  /** Counts of reference-background pixels per score bin. */
  readonly negatives = new Float64Array(SCORE_BINS);
  private positiveTotal = 0;
  private negativeTotal = 0;

  get positiveCount(): number {
    return this.positiveTotal;
  }

  /** A histogram from stored bin counts (shard results are merged through these). */
  static fromCounts(positives: ArrayLike<number>, negatives: ArrayLike<number>): ScoreHistogram {
    if (positives.length !== SCORE_BINS || negatives.length !== SCORE_BINS) {
      throw new RangeError(`ScoreHistogram.fromCounts: expected ${SCORE_BINS} bins per class`);
    }
    const h = new ScoreHistogram();
    h.positives.set(positives);
    h.negatives.set(negatives);
    for (let b = 0; b < SCORE_BINS; b++) {
      h.positiveTotal += h.positives[b];
      h.negativeTotal += h.negatives[b];
    }
    return h;
  }

  get negativeCount(): number {
    return this.negativeTotal;
  }

  /** Adds every pixel of a probability map against its reference mask (non-zero = positive). */
  add(prob: ArrayLike<number>, ref: Uint8Array): this {
    if (prob.length !== ref.length) {
      throw new RangeError(`ScoreHistogram.add: ${prob.length} probabilities for ${ref.length} mask pixels`);
    }
    const positives = this.positives;
    const negatives = this.negatives;
    let positiveAdded = 0;
    for (let i = 0; i < ref.length; i++) {
      const p = prob[i];
      // `p >= 0` rather than `p > 0`: exact zeros are common and must not cost a mispredicted branch.
      const bin = p >= 0 ? (p <= 1 ? (p * TOP_BIN + 0.5) | 0 : TOP_BIN) : 0;
      if (ref[i] !== 0) {
        positives[bin]++;
        positiveAdded++;
      } else {
        negatives[bin]++;
      }
    }
    this.positiveTotal += positiveAdded;
    this.negativeTotal += ref.length - positiveAdded;
    return this;
  }

  /**
   * Adds a probability map already quantised to round(p × 65535) (the prediction cache's and the
   * 16-bit PNGs' form): the value is the bin, so this equals `add(q / 65535)` without the floats.
   */
  addQuantised(q: Uint16Array, ref: Uint8Array): this {
    if (q.length !== ref.length) {
      throw new RangeError(`ScoreHistogram.addQuantised: ${q.length} scores for ${ref.length} mask pixels`);
    }
    const positives = this.positives;
    const negatives = this.negatives;
    let positiveAdded = 0;
    for (let i = 0; i < ref.length; i++) {
      if (ref[i] !== 0) {
        positives[q[i]]++;
        positiveAdded++;
      } else {
        negatives[q[i]]++;
      }
    }
    this.positiveTotal += positiveAdded;
    this.negativeTotal += ref.length - positiveAdded;
    return this;
  }

  /** Adds one score. */
  addScore(p: number, positive: boolean): this {
    const bin = scoreBin(p);
    if (positive) {
      this.positives[bin]++;
      this.positiveTotal++;
    } else {
      this.negatives[bin]++;
      this.negativeTotal++;
    }
    return this;
  }

  merge(other: ScoreHistogram): this {
    const positives = this.positives;
    const negatives = this.negatives;
    const otherPositives = other.positives;
    const otherNegatives = other.negatives;
    for (let b = 0; b < SCORE_BINS; b++) {
      positives[b] += otherPositives[b];
      negatives[b] += otherNegatives[b];
    }
    this.positiveTotal += other.positiveTotal;
    this.negativeTotal += other.negativeTotal;
    return this;
  }

  clear(): this {
    this.positives.fill(0);
    this.negatives.fill(0);
    this.positiveTotal = 0;
    this.negativeTotal = 0;
    return this;
  }

  /** ROC AUC with ties counted half; undefined without positives or without negatives. */
  auroc(): number | undefined {
    const nPos = this.positiveTotal;
    const nNeg = this.negativeTotal;
    if (nPos === 0 || nNeg === 0) return undefined;
    const positives = this.positives;
    const negatives = this.negatives;
    // Twice the U statistic keeps every term an integer: 2·pos·negBelow + pos·negEqual.
    let twiceU = 0;
    let negativesBelow = 0;
    for (let b = 0; b < SCORE_BINS; b++) {
      const pos = positives[b];
      const neg = negatives[b];
      if (pos !== 0) twiceU += pos * (2 * negativesBelow + neg);
      negativesBelow += neg;
    }
    return twiceU / (2 * nPos * nNeg);
  }

  /**
   * The ROC curve (one point per distinct score, from (0, 0) to (1, 1)), thinned to at most
   * `maxPoints` points for plotting; the end points are always kept. Undefined like `auroc()`.
   */
  rocCurve(maxPoints = 256): RocCurve | undefined {
    const nPos = this.positiveTotal;
    const nNeg = this.negativeTotal;
    if (nPos === 0 || nNeg === 0) return undefined;
    const full: RocCurve = { fpr: [0], tpr: [0], thresholds: [Infinity] };
    let tp = 0;
    let fp = 0;
    for (let b = TOP_BIN; b >= 0; b--) {
      const pos = this.positives[b];
      const neg = this.negatives[b];
      if (pos === 0 && neg === 0) continue;
      tp += pos;
      fp += neg;
      full.fpr.push(fp / nNeg);
      full.tpr.push(tp / nPos);
      full.thresholds.push(b / TOP_BIN);
    }
    const count = full.fpr.length;
    const limit = Math.max(2, Math.floor(maxPoints));
    if (count <= limit) return full;
    const thinned: RocCurve = { fpr: [], tpr: [], thresholds: [] };
    for (let k = 0; k < limit; k++) {
      const i = Math.round((k * (count - 1)) / (limit - 1));
      thinned.fpr.push(full.fpr[i]);
      thinned.tpr.push(full.tpr[i]);
      thinned.thresholds.push(full.thresholds[i]);
    }
    return thinned;
  }
}
