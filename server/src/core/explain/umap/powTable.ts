/**
 * x^b for a fixed b by tables instead of Math.pow: the layout raises a squared distance to b
 * about 500 million times for a 60,000-point map, and Math.pow was most of its time. x = m·2^e
 * (read from the float's bits), so x^b = 2^(e·b) · m^b: the first factor from a table over every
 * exponent, the second by linear interpolation in a table of m^b over [1, 2] in steps of 2^-10
 * (relative error below 2.5e-7 for b ≤ 2, which min_dist ≤ 0.99 at spread 1 gives, and 1.5e-6 at
 * b = 4: under the float32 precision umap-learn's layout runs at). Tables are built with Math.pow, so results are the same on every machine. Subnormal,
 * infinite and NaN inputs take Math.pow itself.
 */

const MANTISSA_BITS = 10;
const STEPS = 1 << MANTISSA_BITS;

export class PowTable {
  private readonly mantissa: Float64Array;
  private readonly exponent: Float64Array;
  private readonly bits = new Float64Array(1);
  private readonly words: Uint32Array;
  /** Index of the word with the sign, exponent and high mantissa bits (1 on little-endian machines). */
  private readonly high: number;

  constructor(readonly b: number) {
    this.mantissa = Float64Array.from({ length: STEPS + 1 }, (_, i) => Math.pow(1 + i / STEPS, b));
    this.exponent = Float64Array.from({ length: 2047 }, (_, i) => Math.pow(2, (i - 1023) * b));
    this.words = new Uint32Array(this.bits.buffer);
    this.bits[0] = 1;
    this.high = this.words[1] === 0x3ff00000 ? 1 : 0;
  }

  /** x^b for x > 0. */
  pow(x: number): number {
    this.bits[0] = x;
    const hi = this.words[this.high];
    const e = (hi >>> 20) & 0x7ff;
    if (e === 0 || e === 0x7ff) return Math.pow(x, this.b);
    // The 52 fraction bits as a number in [0, 1): the high word's 20, then the low word's 32.
    const frac = (hi & 0xfffff) * 9.5367431640625e-7 + this.words[1 - this.high] * 2.220446049250313e-16;
    const pos = frac * STEPS;
    const i = pos | 0;
    const m0 = this.mantissa[i];
    return this.exponent[e] * (m0 + (this.mantissa[i + 1] - m0) * (pos - i));
  }
}
