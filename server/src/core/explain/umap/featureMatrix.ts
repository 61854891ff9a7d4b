/**
 * One map's features: a single n × width Float32Array written row by row as images are read,
 * never a typed array per image (at 60,000 images × 768 features, per-row arrays and the copy
 * that joined them doubled the 184 MB). The width is known from the first row (a layer's
 * channel count is known once the model has run). Rows of images that failed are compacted out
 * at the end, in place.
 */
export class FeatureMatrix {
  private data: Float32Array | undefined;
  private width = 0;
  /** 1 for rows written. */
  readonly written: Uint8Array;

  constructor(readonly capacity: number) {
    this.written = new Uint8Array(capacity);
  }

  set(row: number, values: Float32Array): void {
    if (!this.data) {
      this.width = values.length;
      this.data = new Float32Array(this.capacity * this.width);
    }
    if (values.length !== this.width) throw new Error(`feature rows differ in length: ${values.length}, not ${this.width}`);
    this.data.set(values, row * this.width);
    this.written[row] = 1;
  }

  /**
   * The rows where `keep` is 1 (and a row was written), in order, as one matrix over the same
   * buffer (which is then this matrix's no more: hand it to the embedding and drop this object).
   */
  take(keep: Uint8Array): { data: Float32Array; rows: Int32Array; width: number } {
    const kept: number[] = [];
    for (let i = 0; i < this.capacity; i++) if (keep[i] && this.written[i]) kept.push(i);
    const data = this.data ?? new Float32Array(0);
    const w = this.width;
    kept.forEach((src, dst) => {
      if (src !== dst) data.copyWithin(dst * w, src * w, (src + 1) * w);
    });
    this.data = undefined;
    return { data: data.subarray(0, kept.length * w), rows: Int32Array.from(kept), width: w };
  }
}
