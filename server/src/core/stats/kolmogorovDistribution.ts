/**
 * The one-sample Kolmogorov–Smirnov distributions scipy uses: smirnov(n, d) = P(D+_n ≥ d) and
 * kstwo.sf(d, n) = P(D_n ≥ d). The two-sided one follows Simard & L'Ecuyer (2011), "Computing the
 * two-sided Kolmogorov–Smirnov distribution", J. Stat. Softw. 39(11): a choice among exact
 * formulas (Ruben–Gambino), the Durbin matrix (Marsaglia–Tsang–Wang 2003), Pomeranz's recursion
 * (1974), the one-sided doubling and the Pelz–Good (1976) expansion, with the same thresholds
 * as scipy.stats._ksstats, so the numbers agree with scipy.stats.kstwo.
 */

const SCALE_EXPONENT = 128;
const BIG = 2 ** SCALE_EXPONENT;
const TINY = 2 ** -SCALE_EXPONENT;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

function clip01(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/** log(n! / n^n) by Stirling's series (n > 140 here, where eight terms are far below double precision). */
function logFactorialOverPower(n: number): number {
  // Stirling coefficients B_{2j} / (2j (2j − 1)), j = 1..8.
  const coefficients = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];
  const rn = 1 / n;
  const rn2 = rn * rn;
  let series = 0;
  for (let j = coefficients.length - 1; j >= 0; j--) series = series * rn2 + coefficients[j];
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * series;
}

/**
 * Birnbaum–Tingey: P(D+_n ≥ d) = d Σ_{v=0}^{⌊n(1−d)⌋} C(n,v) (d + v/n)^{v−1} (1 − d − v/n)^{n−v}
 * (scipy.special.smirnov). Every term is positive, so summing them in log space keeps the
 * relative precision even for tail probabilities near 1e-300.
 */
export function smirnovSf(n: number, d: number): number {
  if (!(n > 0) || !(d >= 0 && d <= 1)) return NaN;
  if (d === 0) return 1;
  if (d === 1) return 0;
  const last = Math.floor(n * (1 - d));
  let logBinomial = 0; // log C(n, v)
  let sum = 0;
  for (let v = 0; v <= last; v++) {
    if (v > 0) logBinomial += Math.log((n - v + 1) / v);
    const reached = d + v / n;
    const remaining = (n - v) / n - d;
    if (remaining <= 0 && n - v > 0) continue;
    const logTerm = logBinomial + (v - 1) * Math.log(reached) + (n - v > 0 ? (n - v) * Math.log(remaining) : 0);
    sum += Math.exp(logTerm);
  }
  return clip01(sum * d);
}

/** P(D_n < d) by Durbin's matrix, as Marsaglia, Tsang & Wang compute it (fine for small n·d). */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1; // 1 / j!
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  v[m - 1] = (1 + Math.max(2 * h - 1, 0) ** m - 2 * h ** m) * factorial;
  let matrix = new Float64Array(m * m);
  for (let col = 1; col < m; col++) {
    for (let row = col - 1; row < m; row++) matrix[row * m + col] = w[row - col + 1];
  }
  for (let row = 0; row < m; row++) matrix[row * m] = v[row];
  for (let col = 0; col < m; col++) matrix[(m - 1) * m + col] = v[m - 1 - col];

  const multiply = (a: Float64Array, b: Float64Array): Float64Array<ArrayBuffer> => {
    const c = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const ail = a[i * m + l];
        if (ail === 0) continue;
        for (let j = 0; j < m; j++) c[i * m + j] += ail * b[l * m + j];
      }
    }
    return c;
  };
  let power = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let exponent = 0;
  let matrixExponent = 0;
  for (let remaining = n; remaining > 0; remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) {
      power = multiply(power, matrix);
      exponent += matrixExponent;
    }
    matrix = multiply(matrix, matrix);
    matrixExponent *= 2;
    if (Math.abs(matrix[(k - 1) * m + (k - 1)]) > BIG) {
      for (let i = 0; i < matrix.length; i++) matrix[i] /= BIG;
      matrixExponent += SCALE_EXPONENT;
    }
  }
  let p = power[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < TINY) {
      p *= BIG;
      exponent -= SCALE_EXPONENT;
    }
  }
  return clip01(p * 2 ** exponent);
}

/** P(D_n < d) by Pomeranz's recursion (moderate n·d², n ≤ 140). */
function pomeranzCdf(n: number, d: number): number {
  const t = n * d;
  const whole = Math.floor(t);
  const fraction = t - whole;
  const g = Math.min(fraction, 1 - fraction);
  const ceilF = fraction > 0 ? 1 : 0;
  const roundF = fraction > 0.5 ? 1 : 0;
  const width = 2 * (whole + 1);
  // (c/n)^j / j! for the three step lengths that occur: g, 2g and 1 − 2g.
  const powers = (c: number): Float64Array => {
    const out = new Float64Array(width);
    out[0] = 1;
    for (let j = 1; j < width; j++) out[j] = (out[j - 1] * (c / n)) / j;
    return out;
  };
  const gPowers = powers(g);
  const twoGPowers = powers(2 * g);
  const restPowers = powers(1 - 2 * g);
  // Column bounds [j1, j2] of the non-zero band in row i.
  const bounds = (i: number): [number, number] => {
    let j1: number;
    let j2: number;
    if (i === 0) {
      j1 = -whole - ceilF - 1;
      j2 = whole + ceilF - 1;
    } else {
      const half = Math.floor((i + 1) / 2);
      if ((i + 1) % 2 === 0) {
        if (half === n + 1) {
          j1 = n - whole - ceilF - 1;
          j2 = n + whole + ceilF - 1;
        } else {
          j1 = half - 1 - whole - roundF - 1;
          j2 = half + whole - 1 + ceilF - 1;
        }
      } else {
        j1 = half - 1 - whole - 1;
        j2 = half + whole + roundF - 1;
      }
    }
    return [Math.max(j1 + 2, 0), Math.min(j2, n)];
  };

  let previous = new Float64Array(width);
  let current = new Float64Array(width);
  current[0] = 1;
  let currentStart = 0; // column index of current[0]
  let exponent = 0;
  let [j1, j2] = bounds(0);
  for (let i = 1; i <= 2 * n + 1; i++) {
    const previousJ1 = j1;
    [previous, current] = [current, previous];
    current.fill(0);
    [j1, j2] = bounds(i);
    const steps = i === 1 || i === 2 * n + 1 ? gPowers : i % 2 === 1 ? twoGPowers : restPowers;
    const span = j2 - previousJ1 + 1;
    if (span > 0) {
      // Row i at column j is the convolution Σ_l previous(l) · steps[j − l] over the previous band.
      let largest = 0;
      for (let j = j1; j <= j2; j++) {
        const offset = j - previousJ1;
        let value = 0;
        for (let a = Math.max(0, offset - (width - 1)); a <= Math.min(offset, width - 1, span - 1); a++) {
          value += previous[a] * steps[offset - a];
        }
        current[j - j1] = value;
        if (value > largest) largest = value;
      }
      if (largest > 0 && largest < TINY) {
        for (let q = 0; q < width; q++) current[q] *= BIG;
        exponent -= SCALE_EXPONENT;
      }
      currentStart = j1;
    }
  }
  let answer = current[n - currentStart];
  for (let i = 1; i <= n; i++) {
    if (Math.abs(answer) > BIG) {
      answer *= TINY;
      exponent += SCALE_EXPONENT;
    }
    answer *= i;
  }
  return clip01(answer * 2 ** exponent);
}

/** Pelz–Good asymptotic expansion of P(D_n ≤ d) (large n, small n·d^1.5 excluded). */
function pelzGoodCdf(n: number, d: number): number {
  if (d <= 0) return 0;
  if (d >= 1) return 1;
  const z = Math.sqrt(n) * d;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qLog = -(Math.PI ** 2) / 8 / z2;
  if (qLog < -708) return 0;
  const q = Math.exp(qLog);
  const pi2 = Math.PI ** 2;
  const pi4 = Math.PI ** 4;
  const pi6 = Math.PI ** 6;
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const terms = [0, 0, 0, 0];
  // Σ_k c_k q^{(2k−1)^2} by Horner in q^{8k}.
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qPower = q ** (8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) terms[i] = terms[i] * qPower + coefficients[i];
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) terms[i] = (terms[i] * q * SQRT_2PI) / divisors[i];
  const q2 = Math.exp(-pi2 / 2 / z2);
  let k2Extra = 0;
  let k3Extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxK; k >= 1; k--) {
    const k2 = k * k;
    const weight = q2 ** k2;
    k2Extra += k2 * weight;
    k3Extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k2 * weight;
  }
  terms[2] += (k2Extra * pi2 * SQRT_2PI) / (-36 * z3);
  terms[3] += (k3Extra * pi2 * SQRT_2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += terms[i] / n ** (i / 2);
  return sum;
}

/** scipy.stats.kstwo.sf(d, n): P(D_n ≥ d) for the two-sided one-sample statistic, n ≥ 1. */
export function kolmogorovSf(n: number, d: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(d)) return NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 1) {
    // Ruben–Gambino: exact for 1/(2n) ≤ d ≤ 1/n.
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - cdf);
  }
  if (t >= n - 1) return clip01(2 * (1 - d) ** n);
  if (d >= 0.5) return clip01(2 * smirnovSf(n, d));
  const nd2 = t * d;
  if (n <= 140) {
    if (nd2 <= 0.754693) return clip01(1 - durbinMatrixCdf(n, d));
    if (nd2 <= 4) return clip01(1 - pomeranzCdf(n, d));
    return clip01(2 * smirnovSf(n, d));
  }
  if (nd2 >= 370) return 0;
  if (nd2 >= 2.2) return clip01(2 * smirnovSf(n, d));
  const cdf = n <= 100000 && n * d ** 1.5 <= 1.4 ? durbinMatrixCdf(n, d) : pelzGoodCdf(n, d);
  return clip01(1 - cdf);
}
