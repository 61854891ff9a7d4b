/**
 * Dataset-level sums for pooled metrics: confusion counts added over images and one merged score
 * histogram. Fixed memory whatever the number of images, so evaluation can stream.
 */
import { ScoreHistogram } from './auroc';
import { addConfusion, computeConfusion, emptyConfusion, overlapMetrics, type ConfusionCounts, type OverlapMetrics } from './confusion';

export interface PooledCountsData {
  confusion: ConfusionCounts;
  images: number;
  positives?: number[];
  negatives?: number[];
}

export class PooledCounts {
  readonly confusion: ConfusionCounts = emptyConfusion();
  /** Images added so far. */
  images = 0;
  /** Allocated on the first scores added: methods without probabilities (fusions) never pay for it. */
  private histogram: ScoreHistogram | undefined;

  /** The merged score histogram, or undefined when no image brought probabilities. */
  get scores(): ScoreHistogram | undefined {
    return this.histogram;
  }

  /** Adds one image's counts and, when it has a probability map, its score histogram. */
  add(confusion: ConfusionCounts, scores?: ScoreHistogram): this {
    addConfusion(this.confusion, confusion);
    if (scores) this.ensureHistogram().merge(scores);
    this.images++;
    return this;
  }

  /** Adds one image's scores (probabilities, or quantised to round(p × 65535)) against its reference; not an image count. */
  addScores(scores: Float32Array | Uint16Array, ref: Uint8Array): this {
    if (scores instanceof Uint16Array) this.ensureHistogram().addQuantised(scores, ref);
    else this.ensureHistogram().add(scores, ref);
    return this;
  }

  /** Adds one image from its pixels (when its confusion counts and histogram are not at hand). */
  addImage(ref: Uint8Array, pred: Uint8Array, prob?: ArrayLike<number>): this {
    addConfusion(this.confusion, computeConfusion(ref, pred));
    if (prob) this.ensureHistogram().add(prob, ref);
    this.images++;
    return this;
  }

  merge(other: PooledCounts): this {
    addConfusion(this.confusion, other.confusion);
    if (other.histogram) this.ensureHistogram().merge(other.histogram);
    this.images += other.images;
    return this;
  }

  /** Dice, IoU, … of the summed counts (every pixel of the split weighs the same). */
  overlap(): OverlapMetrics {
    return overlapMetrics(this.confusion);
  }

  /** AUROC over all pixels of the images that had probability maps. */
  auroc(): number | undefined {
    return this.histogram?.auroc();
  }

  /** Plain data that round-trips exactly (bin counts are integers in float64). */
  toData(): PooledCountsData {
    const h = this.histogram;
    return { confusion: { ...this.confusion }, images: this.images, positives: h ? Array.from(h.positives) : undefined, negatives: h ? Array.from(h.negatives) : undefined };
  }

  static fromData(data: PooledCountsData): PooledCounts {
    const p = new PooledCounts();
    addConfusion(p.confusion, data.confusion);
    p.images = data.images;
    if (data.positives && data.negatives) p.histogram = ScoreHistogram.fromCounts(data.positives, data.negatives);
    return p;
  }

  private ensureHistogram(): ScoreHistogram {
    this.histogram ??= new ScoreHistogram();
    return this.histogram;
  }
}
