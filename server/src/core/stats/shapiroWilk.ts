/**
 * Shapiro–Wilk W test for normality: Royston's algorithm AS R94 (1995), the one scipy.stats.shapiro
 * runs. The coefficients come from Royston's polynomial approximation, the p-value from his
 * normalising transformation of W, and the two helper approximations (AS 111 for normal quantiles,
 * AS 66 for the normal tail) are the algorithm's own, so W and p agree with scipy to rounding.
 */
import type { ShapiroWilkResult } from './types';
import { requireSample } from './validate';

// Royston (1992, 1995): polynomial coefficients, lowest power first.
const C1 = [0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
const C2 = [0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
const C3 = [0.544, -0.39978, 0.025054, -6.714e-4];
const C4 = [1.3822, -0.77857, 0.062767, -0.0020322];
const C5 = [-1.5861, -0.31082, -0.083751, 0.0038915];
const C6 = [-0.4803, -0.082676, 0.0030302];
const G = [-2.273, 0.459];
/** The p-value AS R94 reports when W is beyond the range of its small-sample transformation. */
const SMALL = 1e-19;

function polynomial(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (let i = coefficients.length - 1; i >= 1; i--) value = (value + coefficients[i]) * x;
  return coefficients[0] + value;
}

/** AS 111 (Beasley & Springer 1977): normal quantile, accurate to about 1e-7, as AS R94 uses it. */
function normalQuantileAs111(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.42) {
    const r = q * q;
    return (q * (((-25.44106049637 * r + 41.39119773534) * r - 18.61500062529) * r + 2.50662823884)) /
      ((((3.13082909833 * r - 21.06224101826) * r + 23.08336743743) * r - 8.4735109309) * r + 1);
  }
  let r = q > 0 ? 1 - p : p;
  if (!(r > 0)) return 0;
  r = Math.sqrt(-Math.log(r));
  const value = (((2.32121276858 * r + 4.85014127135) * r - 2.29796479134) * r - 2.78718931138) /
    ((1.63706781897 * r + 3.54388924762) * r + 1);
  return q < 0 ? -value : value;
}

/** AS 66 (Hill 1973): upper normal tail area P(Z > z), with the 2001 extension of its range to z = 38. */
function normalUpperTailAs66(z: number): number {
  let upper = true;
  let x = z;
  if (!(x > 0)) {
    upper = false;
    x = -x;
  }
  if (!(x <= 7 || (upper && x <= 38))) return upper ? 0 : 1;
  const y = 0.5 * x * x;
  let tail: number;
  if (x <= 1.28) {
    tail = 0.5 - x * (0.398942280444 - 0.399903438504 * y /
      (y + 5.75885480458 - 29.8213557808 / (y + 2.62433121679 + 48.6959930692 / (y + 5.92885724438))));
  } else {
    tail = 0.398942280385 * Math.exp(-y) /
      (x - 3.8052e-8 + 1.00000615302 / (x + 3.98064794e-4 + 1.98615381364 / (x - 0.151679116635 + 5.29330324926 /
        (x + 4.8385912808 - 15.1508972451 / (x + 0.742380924027 + 30.789933034 / (x + 3.99019417011))))));
  }
  return upper ? tail : 1 - tail;
}

/** The n/2 antisymmetric weights a_i of the largest order statistics (AS R94's approximation). */
function shapiroWilkWeights(n: number): Float64Array {
  const half = Math.floor(n / 2);
  const a = new Float64Array(half);
  if (n === 3) {
    a[0] = Math.SQRT1_2;
    return a;
  }
  const an25 = n + 0.25;
  let sumSquares = 0;
  for (let i = 0; i < half; i++) {
    a[i] = normalQuantileAs111((i + 1 - 0.375) / an25);
    sumSquares += a[i] * a[i];
  }
  sumSquares *= 2;
  const rootSum = Math.sqrt(sumSquares);
  const rsn = 1 / Math.sqrt(n);
  const a1 = polynomial(C1, rsn) - a[0] / rootSum;
  let firstScaled: number;
  let scale: number;
  if (n > 5) {
    firstScaled = 2;
    const a2 = -a[1] / rootSum + polynomial(C2, rsn);
    scale = Math.sqrt((sumSquares - 2 * a[0] ** 2 - 2 * a[1] ** 2) / (1 - 2 * a1 ** 2 - 2 * a2 ** 2));
    a[1] = a2;
  } else {
    firstScaled = 1;
    scale = Math.sqrt((sumSquares - 2 * a[0] ** 2) / (1 - 2 * a1 ** 2));
  }
  a[0] = a1;
  for (let i = firstScaled; i < half; i++) a[i] = -a[i] / scale;
  return a;
}

/**
 * Mirrors scipy.stats.shapiro(x) (no options): W and its p-value, n ≥ 3. Exact p for n = 3;
 * Royston's approximations for 4 ≤ n ≤ 5000 (above 5000 scipy warns that p may be inaccurate, and
 * so does this). Data of zero range give W = 1, p = 1, as scipy does (with its warning).
 */
export function shapiroWilk(x: readonly number[]): ShapiroWilkResult {
  requireSample('x', x, 3);
  const n = x.length;
  const result = (statistic: number, p: number): ShapiroWilkResult => ({ test: 'Shapiro–Wilk', statistic, p, n });
  // scipy subtracts the unsorted x[n/2] (near the median) before the sums, to limit rounding.
  const shift = x[Math.floor(n / 2)];
  const y = Float64Array.from(x).sort().map((v) => v - shift);
  const a = shapiroWilkWeights(n);
  const range = y[n - 1] - y[0];
  if (range < SMALL) return result(1, 1);

  // Weight of order statistic i: −a_i in the lower half, +a_(n−1−i) in the upper, 0 at an odd middle.
  const weight = (i: number): number => {
    const mirror = n - 1 - i;
    if (i === mirror) return 0;
    return i < mirror ? -a[i] : a[mirror];
  };
  let meanWeight = 0;
  let meanX = 0;
  for (let i = 0; i < n; i++) {
    meanWeight += weight(i);
    meanX += y[i] / range;
  }
  meanWeight /= n;
  meanX /= n;
  let ssa = 0;
  let ssx = 0;
  let sax = 0;
  for (let i = 0; i < n; i++) {
    const da = weight(i) - meanWeight;
    const dx = y[i] / range - meanX;
    ssa += da * da;
    ssx += dx * dx;
    sax += da * dx;
  }
  const root = Math.sqrt(ssa * ssx);
  const oneMinusW = ((root - sax) * (root + sax)) / (ssa * ssx);
  const w = 1 - oneMinusW;

  if (n === 3) {
    // Exact: W ≥ 3/4 in theory; clamp rounding below it as scipy does (gh-18322).
    if (w < 0.75) return result(0.75, 0);
    return result(w, 1 - (6 / Math.PI) * Math.acos(Math.sqrt(w)));
  }
  let transformed = Math.log(oneMinusW);
  let mean: number;
  let sd: number;
  if (n <= 11) {
    const gamma = polynomial(G, n);
    if (transformed >= gamma) return result(w, SMALL);
    transformed = -Math.log(gamma - transformed);
    mean = polynomial(C3, n);
    sd = Math.exp(polynomial(C4, n));
  } else {
    const logN = Math.log(n);
    mean = polynomial(C5, logN);
    sd = Math.exp(polynomial(C6, logN));
  }
  return result(w, normalUpperTailAs66((transformed - mean) / sd));
}
