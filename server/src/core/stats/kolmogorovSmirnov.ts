/** Two-sample Kolmogorov–Smirnov test. */
import { kolmogorovSf } from './kolmogorovDistribution';
import type { KolmogorovSmirnovResult, PValueMethod } from './types';
import { requireSample } from './validate';

/** scipy's 'auto' attempts the exact p-value while both samples have at most this many values. */
const MAX_EXACT_SIZE = 10000;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** numpy.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** sup_x |F1(x) − F2(x)| over the pooled values, with the ECDFs right-continuous like scipy's searchsorted. */
function maxEcdfDistance(x: Float64Array, y: Float64Array): number {
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j];
    while (i < n1 && x[i] <= v) i++;
    while (j < n2 && y[j] <= v) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  return d;
}

/**
 * P(D_{n,n} ≥ h/n) for equal sizes, by Hodges' alternating sum of binomial ratios evaluated in
 * nested (Horner-like) form: 2·A0·(1 − A1·(1 − A2·(…))), each A_k a product of h ratios.
 */
function equalSizeExceedance(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D_{m,n} ≥ h / lcm(m,n)) for unequal sizes. A lattice path from (0,0) to (m,n) is a merge order
 * of the two sorted samples; it crosses the boundary when |i·n/g − j·m/g| ≥ h at some point.
 * E(i,j), the probability that a uniformly random path to (i,j) has crossed, satisfies
 * E = 1 outside the band and E(i,j) = (i·E(i−1,j) + j·E(i,j−1)) / (i + j) inside (the last step
 * came from the left with probability i/(i+j)). Working with the crossing probability itself
 * (Viehmann 2021, arXiv:2102.08037) rather than 1 − P(stay inside) keeps tiny p-values accurate;
 * only the band of each column is stored.
 */
function unequalSizeExceedance(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  // Column i: rows j with |ng·i − mg·j| < h, i.e. (ng·i − h)/mg < j < (ng·i + h)/mg.
  const bandStart = (i: number): number => Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
  const bandEnd = (i: number): number => Math.min(Math.ceil((ng * i + h) / mg), n + 1); // exclusive
  let previous = new Float64Array(n + 1);
  let current = new Float64Array(n + 1);
  let previousStart = 0;
  let previousEnd = Math.min(Math.ceil(h / mg), n + 1);
  // First column: the straight path up stays inside as long as the band does.
  for (let j = previousStart; j < previousEnd; j++) previous[j - previousStart] = 0;
  for (let i = 1; i <= m; i++) {
    const start = bandStart(i);
    const end = bandEnd(i);
    if (end <= start) return 1;
    let below = 1; // E(i, start − 1): outside the band, or nonexistent when start = 0 (weight 0 then)
    for (let j = start; j < end; j++) {
      const left = j >= previousStart && j < previousEnd ? previous[j - previousStart] : 1;
      const value = (i * left + j * below) / (i + j);
      current[j - start] = value;
      below = value;
    }
    [previous, current] = [current, previous];
    previousStart = start;
    previousEnd = end;
  }
  return previous[n - previousStart];
}

/**
 * Mirrors scipy.stats.ks_2samp(x, y) with its defaults: alternative='two-sided', method='auto'.
 * scipy 1.17's rule: exact when max(n1, n2) ≤ 10000, else asymptotic. Exact: D is snapped to the
 * lattice h / lcm(n1, n2) and the probability of a merge path reaching it is counted (Hodges'
 * formula for equal sizes, the band recursion above otherwise); if that fails to give a number in
 * [0, 1] (rounding at h = 1 can give 1 + 1e-16) scipy falls back to the asymptotic p, and so does
 * this. Asymptotic: kstwo.sf(D, round(n1·n2/(n1+n2))), the one-sample two-sided distribution.
 */
export function ks2Sample(x: readonly number[], y: readonly number[]): KolmogorovSmirnovResult {
  requireSample('x', x, 1);
  requireSample('y', y, 1);
  const sortedX = Float64Array.from(x).sort();
  const sortedY = Float64Array.from(y).sort();
  const n1 = x.length;
  const n2 = y.length;
  let d = maxEcdfDistance(sortedX, sortedY);
  const base = { test: 'Kolmogorov–Smirnov (two-sample)' as const, n1, n2 };
  let method: PValueMethod = Math.max(n1, n2) <= MAX_EXACT_SIZE ? 'exact' : 'asymptotic';
  if (method === 'exact') {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { ...base, statistic: d, p: 1, method };
    const p = n1 === n2 ? equalSizeExceedance(n1, h) : unequalSizeExceedance(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { ...base, statistic: d, p, method };
    method = 'asymptotic';
  }
  const effectiveN = roundHalfEven((n1 * n2) / (n1 + n2));
  return { ...base, statistic: d, p: Math.min(1, Math.max(0, kolmogorovSf(effectiveN, d))), method };
}
