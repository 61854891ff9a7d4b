import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { adjustPValues } from '../../../server/src/core/stats';
import { assertStatistic, reference } from './reference';

describe('adjustPValues', () => {
  test('matches the multipletests semantics computed in the reference script', () => {
    for (const c of reference.adjust) {
      for (const method of ['holm', 'bonferroni', 'bh'] as const) {
        const got = adjustPValues(c.p, method);
        got.forEach((v, i) => assertStatistic(v, c[method][i], `${method} [${i}] of ${c.p}`));
      }
      assert.deepEqual(adjustPValues(c.p, 'none'), c.p);
    }
  });

  test('Holm and BH on four p-values by hand', () => {
    // Sorted: 0.005, 0.01, 0.03, 0.04 (input order 3, 0, 2, 1).
    // Holm: 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04 → monotone 0.06.
    const p = [0.01, 0.04, 0.03, 0.005];
    const holm = adjustPValues(p, 'holm');
    [0.03, 0.06, 0.06, 0.02].forEach((e, i) => assert.ok(Math.abs(holm[i] - e) < 1e-15));
    // BH: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02, 0.03·4/3 = 0.04, 0.04·4/4 = 0.04.
    const bh = adjustPValues(p, 'bh');
    [0.02, 0.04, 0.04, 0.02].forEach((e, i) => assert.ok(Math.abs(bh[i] - e) < 1e-15));
    assert.deepEqual(adjustPValues([0.3, 0.5], 'bonferroni'), [0.6, 1]);
  });

  test('NaN entries stay NaN and do not count', () => {
    const r = adjustPValues([0.01, NaN, 0.02], 'bonferroni');
    assert.deepEqual(r, [0.02, NaN, 0.04]);
    assert.deepEqual(adjustPValues([], 'holm'), []);
  });
});
