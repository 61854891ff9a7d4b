import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareSurvival, chiSquareTest } from './chiSquare';

// scipy.stats.chi2_contingency(correction=False) on fixed tables: test/fixtures/demo/chi_square_reference.py.
const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/demo/chi_square_reference.json'), 'utf8')) as {
  table: number[][];
  statistic: number;
  p: number;
  dof: number;
}[];

describe('chi-square helper used by the demo tests', () => {
  test('matches scipy on the reference tables', () => {
    for (const r of reference) {
      const got = chiSquareTest(r.table);
      assert.ok(Math.abs(got.statistic - r.statistic) < 1e-9 * r.statistic, `statistic ${got.statistic} vs ${r.statistic}`);
      assert.ok(Math.abs(got.p - r.p) < 1e-9 + 1e-7 * r.p, `p ${got.p} vs ${r.p}`);
    }
  });

  test('survival function: closed forms for 2 and 4 degrees of freedom', () => {
    // k = 2: exp(−x/2); k = 4: exp(−x/2)(1 + x/2).
    assert.ok(Math.abs(chiSquareSurvival(3, 2) - Math.exp(-1.5)) < 1e-15);
    assert.ok(Math.abs(chiSquareSurvival(5, 4) - Math.exp(-2.5) * 3.5) < 1e-15);
    assert.equal(chiSquareSurvival(0, 6), 1);
  });
});
