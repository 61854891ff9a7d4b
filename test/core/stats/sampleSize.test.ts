import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ciHalfWidthForN, requiredSampleSize } from '../../../server/src/core/stats';
import { assertStatistic, reference } from './reference';

describe('ciHalfWidthForN and requiredSampleSize', () => {
  test('half-widths match scipy.stats.t.ppf', () => {
    for (const c of reference.ci_half_width) {
      assertStatistic(ciHalfWidthForN(c.sd, c.n, c.confidence), c.half_width, `sd ${c.sd} n ${c.n} conf ${c.confidence}`);
    }
  });

  test('required sizes match the reference linear search', () => {
    for (const c of reference.required_n) {
      assert.equal(requiredSampleSize(c.sd, c.target, c.confidence), c.n, `sd ${c.sd} target ${c.target} conf ${c.confidence}`);
    }
  });

  test('by hand: n = 2 uses t with 1 df (Cauchy), and the answer is the first n that fits', () => {
    // t_{0.975, 1} = tan(0.475 π) = 12.706…; half-width = 12.706 · sd / √2.
    assert.ok(Math.abs(ciHalfWidthForN(1, 2) - Math.tan(0.475 * Math.PI) / Math.SQRT2) < 1e-9);
    const n = requiredSampleSize(0.1, 0.02);
    assert.ok(ciHalfWidthForN(0.1, n) <= 0.02 && ciHalfWidthForN(0.1, n - 1) > 0.02);
    assert.equal(requiredSampleSize(0, 0.01), 2);
    assert.throws(() => requiredSampleSize(0.1, 0), RangeError);
    assert.throws(() => ciHalfWidthForN(0.1, 1), RangeError);
  });
});
