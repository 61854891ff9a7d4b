import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ks2Sample, kolmogorovSf, smirnovSf } from '../../../server/src/core/stats';
import { assertP, assertStatistic, lcgSample, reference } from './reference';

/** Brute force: fraction of the C(m+n, m) merge orders whose ECDF gap reaches d (small sizes only). */
function bruteForceP(m: number, n: number, d: number): number {
  let hits = 0;
  let total = 0;
  const walk = (i: number, j: number, crossed: boolean): void => {
    const now = crossed || Math.abs(i / m - j / n) >= d - 1e-12;
    if (i === m && j === n) {
      total++;
      if (now) hits++;
      return;
    }
    if (i < m) walk(i + 1, j, now);
    if (j < n) walk(i, j + 1, now);
  };
  walk(0, 0, false);
  return hits / total;
}

describe('ks2Sample', () => {
  test('matches scipy.stats.ks_2samp on every fixture (exact and asymptotic)', () => {
    for (const c of reference.ks_2samp) {
      const x = c.x ?? lcgSample(c.lcg_x);
      const y = c.y ?? lcgSample(c.lcg_y);
      const r = ks2Sample(x, y);
      assert.equal(r.method, c.method, `${c.name} method`);
      assertStatistic(r.statistic, c.statistic, `${c.name} D`);
      assertP(r.p, c.p, `${c.name} p`);
    }
  });

  test('exact p equals a brute-force count of merge orders', () => {
    const cases: [number[], number[]][] = [
      [[0.1, 0.5, 0.9], [0.2, 0.3, 0.4, 0.6, 0.7]],
      [[1, 2, 3, 4], [2.5, 5, 6, 7, 8, 9]],
      [[1, 3, 5, 7, 9, 11], [2, 4, 6, 8, 10, 12]],
      [[0, 0.2, 0.4, 0.5, 2], [0.3, 0.6, 0.7, 0.8, 0.9]],
    ];
    for (const [x, y] of cases) {
      const r = ks2Sample(x, y);
      assert.ok(Math.abs(r.p - bruteForceP(x.length, y.length, r.statistic)) < 1e-12, `${x} vs ${y}`);
    }
  });

  test('by hand: disjoint samples of three', () => {
    // D = 1; only the 2 orders xxxyyy and yyyxxx of C(6,3) = 20 reach it.
    const r = ks2Sample([1, 2, 3], [4, 5, 6]);
    assert.equal(r.statistic, 1);
    assert.ok(Math.abs(r.p - 0.1) < 1e-15);
  });

  test('one-sample distributions match scipy.stats.kstwo.sf in every regime', () => {
    for (const c of reference.kstwo_sf) assertP(kolmogorovSf(c.n, c.d), c.p, `kstwo.sf(${c.d}, ${c.n})`);
  });

  test('closed forms: smirnov(1, d) = 1 − d, kstwo.sf(d, 1) = 2(1 − d) for d ≥ 1/2', () => {
    for (const d of [0.1, 0.5, 0.75]) assert.ok(Math.abs(smirnovSf(1, d) - (1 - d)) < 1e-15);
    assert.ok(Math.abs(kolmogorovSf(1, 0.7) - 0.6) < 1e-15);
    assert.equal(kolmogorovSf(10, 0.04), 1); // below 1/(2n) D cannot be that small
  });
});
