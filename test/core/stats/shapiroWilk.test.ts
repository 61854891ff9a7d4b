import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { shapiroWilk } from '../../../server/src/core/stats';
import { assertP, assertStatistic, lcgSample, reference } from './reference';

describe('shapiroWilk', () => {
  test('matches scipy.stats.shapiro on every fixture (n = 3 … 5000)', () => {
    for (const c of reference.shapiro) {
      const x = c.x ?? lcgSample(c.lcg);
      const r = shapiroWilk(x);
      assert.equal(r.test, 'Shapiro–Wilk');
      assert.equal(r.n, x.length);
      assertStatistic(r.statistic, c.statistic, `${c.name} W`);
      assertP(r.p, c.p, `${c.name} p`);
    }
  });

  test('n = 3 is exact: W and p by hand', () => {
    // a = (−1/√2, 0, 1/√2), so W = (x3 − x1)² / (2 Σ(x − x̄)²); p = 1 − (6/π) acos(√W).
    const x = [1, 2, 4];
    const mean = 7 / 3;
    const ss = x.reduce((s, v) => s + (v - mean) ** 2, 0);
    const w = (4 - 1) ** 2 / (2 * ss);
    const r = shapiroWilk(x);
    assert.ok(Math.abs(r.statistic - w) < 1e-12);
    assert.ok(Math.abs(r.p - (1 - (6 / Math.PI) * Math.acos(Math.sqrt(w)))) < 1e-12);
    // Equally spaced points are as normal as three points can be.
    const even = shapiroWilk([5, 6, 7]);
    assert.ok(Math.abs(even.statistic - 1) < 1e-12 && Math.abs(even.p - 1) < 1e-12);
  });

  test('is invariant to order, shift and scale', () => {
    const x = reference.shapiro.find((c: { name: string }) => c.name === 'exponential n25').x as number[];
    const base = shapiroWilk(x);
    const moved = shapiroWilk(x.map((v) => 3 * v - 7).reverse());
    assert.ok(Math.abs(base.statistic - moved.statistic) < 1e-12);
    assert.ok(Math.abs(base.p - moved.p) < 1e-12);
  });

  test('constant data: W = 1, p = 1 (as scipy), too few values throw', () => {
    assert.deepEqual(
      [shapiroWilk([2, 2, 2, 2]).statistic, shapiroWilk([2, 2, 2, 2]).p],
      [1, 1],
    );
    assert.throws(() => shapiroWilk([1, 2]), RangeError);
    assert.throws(() => shapiroWilk([1, 2, NaN]), RangeError);
  });
});
