import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mannWhitneyExactCdf, mannWhitneyU } from '../../../server/src/core/stats';
import { assertP, assertStatistic, reference } from './reference';

/** Brute force: the null distribution of U by enumerating which of the m+n positions x takes. */
function bruteForceCdf(k: number, m: number, n: number): number {
  let hits = 0;
  let total = 0;
  const choose = (start: number, left: number, u: number): void => {
    if (left === 0) {
      total++;
      if (u <= k) hits++;
      return;
    }
    // x at position p (0-based in the merged order) is above p − (chosen so far) values of y.
    for (let p = start; p <= m + n - left; p++) choose(p + 1, left - 1, u + (p - (m - left)));
  };
  choose(0, m, 0);
  return hits / total;
}

describe('mannWhitneyU', () => {
  test('matches scipy.stats.mannwhitneyu on every fixture', () => {
    for (const c of reference.mannwhitneyu) {
      const r = mannWhitneyU(c.x, c.y);
      assert.equal(r.method, c.method, `${c.name} method`);
      assertStatistic(r.statistic, c.statistic, `${c.name} U`);
      assertP(r.p, c.p, `${c.name} p`);
      assertStatistic(r.effectSize, c.rank_biserial, `${c.name} rank-biserial`);
    }
  });

  test('exact null distribution equals a brute-force enumeration', () => {
    for (const [m, n] of [[1, 1], [2, 3], [3, 5], [4, 4], [5, 7]]) {
      for (let k = -1; k <= m * n; k++) {
        assert.ok(Math.abs(mannWhitneyExactCdf(k, m, n) - bruteForceCdf(k, m, n)) < 1e-14, `${m}x${n} k=${k}`);
      }
    }
  });

  test('by hand: x = [1, 4, 6], y = [2, 3, 5, 7]', () => {
    // x beats y in 0 + 2 + 3 = 5 pairs, so U1 = 5 of 12; exact two-sided p = 2·P(U ≤ 5).
    const r = mannWhitneyU([1, 4, 6], [2, 3, 5, 7]);
    assert.equal(r.statistic, 5);
    assert.ok(Math.abs(r.effectSize - (10 / 12 - 1)) < 1e-15);
    assert.ok(Math.abs(r.p - 2 * bruteForceCdf(5, 3, 4)) < 1e-15);
    // Fully separated samples of 5: only 1 of C(10, 5) = 252 orders is as extreme on each side.
    assert.ok(Math.abs(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p - 2 / 252) < 1e-15);
  });

  test('all values tied: p = 1', () => {
    const r = mannWhitneyU([3, 3, 3], [3, 3]);
    assert.equal(r.method, 'asymptotic');
    assert.equal(r.p, 1);
  });
});
