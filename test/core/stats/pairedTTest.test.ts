import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pairedTTest } from '../../../server/src/core/stats';
import { assertP, assertStatistic, reference } from './reference';

describe('pairedTTest', () => {
  test('matches scipy.stats.ttest_rel on every fixture', () => {
    for (const c of reference.ttest_rel) {
      const r = pairedTTest(c.a, c.b);
      assertStatistic(r.statistic, c.statistic, `${c.name} t`);
      assertP(r.p, c.p, `${c.name} p`);
      assert.equal(r.df, c.df);
      assertStatistic(r.meanDifference, c.mean_difference, `${c.name} mean`);
      assertStatistic(r.sdDifference, c.sd_difference, `${c.name} sd`);
      assertStatistic(r.effectSize, c.cohens_dz, `${c.name} d_z`);
    }
  });

  test('by hand: differences 1, 2, 3', () => {
    // mean 2, sd 1, t = 2 / (1/√3) = 2√3, df 2; P(|T2| > t) = 1 − t/√(t² + 2).
    const r = pairedTTest([2, 4, 6], [1, 2, 3]);
    const t = 2 * Math.sqrt(3);
    assert.ok(Math.abs(r.statistic - t) < 1e-12);
    assert.ok(Math.abs(r.p - (1 - t / Math.sqrt(t * t + 2))) < 1e-12);
    assert.equal(r.effectSize, 2);
    assert.equal(r.effectName, "Cohen's d_z");
  });

  test('zero variance: identical methods p = 1, a constant shift p = 0', () => {
    const same = pairedTTest([0.5, 0.75, 0.25], [0.5, 0.75, 0.25]);
    assert.deepEqual([same.statistic, same.p, same.effectSize], [0, 1, 0]);
    const shifted = pairedTTest([1.5, 2.5, 3.5], [1, 2, 3]);
    assert.deepEqual([shifted.statistic, shifted.p, shifted.effectSize], [Infinity, 0, Infinity]);
    const down = pairedTTest([1, 2, 3], [1.5, 2.5, 3.5]);
    assert.deepEqual([down.statistic, down.p], [-Infinity, 0]);
  });

  test('rejects unequal lengths and single pairs', () => {
    assert.throws(() => pairedTTest([1, 2], [1]), RangeError);
    assert.throws(() => pairedTTest([1], [2]), RangeError);
  });
});
