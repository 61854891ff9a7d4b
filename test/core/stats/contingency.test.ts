import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareIndependence, cramersV } from '../../../server/src/core/stats';
import { assertP, assertStatistic, reference } from './reference';

describe('chiSquareIndependence and cramersV', () => {
  test("match scipy.stats.chi2_contingency, association('cramer') and Bergsma's correction", () => {
    for (const c of reference.chi2_contingency) {
      const r = chiSquareIndependence(c.table);
      assertStatistic(r.statistic, c.statistic, `${c.name} χ²`);
      assertP(r.p, c.p, `${c.name} p`);
      assert.equal(r.df, c.dof, `${c.name} df`);
      assert.equal(r.yates, c.dof === 1);
      r.expected.forEach((row, i) => row.forEach((e, j) => assertStatistic(e, c.expected[i][j], `${c.name} expected[${i}][${j}]`)));
      assertStatistic(cramersV(c.table), c.cramers_v, `${c.name} V`);
      assertStatistic(cramersV(c.table, { biasCorrected: true }), c.cramers_v_bias_corrected, `${c.name} bias-corrected V`);
    }
  });

  test('by hand: 2×2 table [[10, 20], [30, 40]]', () => {
    // Margins 30/70 × 40/60 of 100: expected [[12, 18], [28, 42]]; every |O − E| = 2, Yates makes it 1.5.
    const r = chiSquareIndependence([[10, 20], [30, 40]]);
    assert.deepEqual(r.expected, [[12, 18], [28, 42]]);
    const yates = 2.25 * (1 / 12 + 1 / 18 + 1 / 28 + 1 / 42);
    assert.ok(Math.abs(r.statistic - yates) < 1e-12);
    assert.equal(r.df, 1);
    // Uncorrected χ² = 4 · (same sum) = 100/112; V = sqrt(χ²/100).
    const plain = 4 * (1 / 12 + 1 / 18 + 1 / 28 + 1 / 42);
    assert.ok(Math.abs(cramersV([[10, 20], [30, 40]]) - Math.sqrt(plain / 100)) < 1e-12);
    // Bergsma: φ² − 1/99 < 0 here, so the corrected V is 0.
    assert.equal(cramersV([[10, 20], [30, 40]], { biasCorrected: true }), 0);
  });

  test('one row: df 0, statistic 0, p 1; empty rows are rejected', () => {
    const r = chiSquareIndependence([[3, 4, 5]]);
    assert.deepEqual([r.df, r.statistic, r.p], [0, 0, 1]);
    assert.throws(() => chiSquareIndependence([[1, 2], [0, 0]]), RangeError);
    assert.throws(() => chiSquareIndependence([[1, -2], [3, 4]]), RangeError);
  });
});
