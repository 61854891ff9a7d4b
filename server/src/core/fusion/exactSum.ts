/**
 * A double-double accumulator (TwoSum and Dekker's TwoProduct): sums of many non-negative terms
 * to about 2^-106 relative error, so the result hardly depends on how the terms are grouped. The
 * STAPLE M-step needs that: summing W per pixel or count·W per vote pattern then gives the same
 * double, so both paths follow the same EM trajectory even where the likelihood is flat and EM
 * would amplify rounding differences, and sums over 10^8 voxels keep every digit.
 */

/** 2^27 + 1: Veltkamp's constant for splitting a double into two 26-bit halves. */
const SPLIT = 134217729;

export class ExactSum {
  private hi = 0;
  private lo = 0;

  add(x: number): void {
    const s = this.hi + x;
    const v = s - this.hi;
    const t = this.hi - (s - v) + (x - v) + this.lo;
    this.hi = s + t;
    this.lo = t - (this.hi - s);
  }

  /** Adds a·b without rounding the product. */
  addProduct(a: number, b: number): void {
    const p = a * b;
    let c = SPLIT * a;
    const aHigh = c - (c - a);
    const aLow = a - aHigh;
    c = SPLIT * b;
    const bHigh = c - (c - b);
    const bLow = b - bHigh;
    const error = aHigh * bHigh - p + aHigh * bLow + aLow * bHigh + aLow * bLow;
    this.add(p);
    this.add(error);
  }

  get value(): number {
    return this.hi + this.lo;
  }
}
