import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { friedman, chiSquareSf } from '../../../server/src/core/stats';
import { assertP, assertStatistic, reference } from './reference';

describe('friedman', () => {
  test("matches scipy.stats.friedmanchisquare and Kendall's W on every fixture", () => {
    for (const c of reference.friedman) {
      const r = friedman(c.groups);
      assertStatistic(r.statistic, c.statistic, `${c.name} statistic`);
      assertP(r.p, c.p, `${c.name} p`);
      assertStatistic(r.effectSize, c.kendall_w, `${c.name} W`);
      assert.equal(r.df, c.groups.length - 1);
    }
  });

  test('by hand: three methods ranked identically on four blocks', () => {
    // Rank sums 4, 8, 12: χ² = 12/(4·3·4)·(16 + 64 + 144) − 3·4·4 = 56 − 48 = 8, W = 8/(4·2) = 1.
    const r = friedman([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]]);
    assert.ok(Math.abs(r.statistic - 8) < 1e-12);
    assert.ok(Math.abs(r.effectSize - 1) < 1e-12);
    assert.ok(Math.abs(r.p - Math.exp(-4)) < 1e-15); // chi-square with 2 df: sf(x) = e^{−x/2}
    assert.equal(chiSquareSf(8, 2), r.p);
  });

  test('every block fully tied: statistic 0, p 1', () => {
    const r = friedman([[1, 2], [1, 2], [1, 2]]);
    assert.deepEqual([r.statistic, r.p, r.effectSize], [0, 1, 0]);
  });

  test('rejects ragged groups and a single group', () => {
    assert.throws(() => friedman([[1, 2, 3], [1, 2]]), RangeError);
    assert.throws(() => friedman([[1, 2, 3]]), RangeError);
  });
});
