import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adjustPValues, ks2Sample, mannWhitneyU, pairedTTest, wilcoxonSignedRank } from '../../../server/src/core/stats';

// Small grids of values so that ties and zero differences occur often.
const value = fc.integer({ min: -20, max: 20 }).map((v) => v / 4);
const pairs = fc.integer({ min: 2, max: 30 }).chain((n) => fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(value, { minLength: n, maxLength: n })));
const sample = fc.array(value, { minLength: 1, maxLength: 25 });

describe('symmetries the tests must respect', () => {
  test('swapping paired samples keeps p and negates the effect', () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        const forward = wilcoxonSignedRank(a, b);
        const backward = wilcoxonSignedRank(b, a);
        assert.ok(Math.abs(forward.p - backward.p) < 1e-12);
        assert.equal(forward.statistic, backward.statistic);
        assert.ok(Math.abs(forward.effectSize + backward.effectSize) < 1e-12);
        assert.ok(forward.p >= 0 && forward.p <= 1);
        const t = pairedTTest(a, b);
        const tBack = pairedTTest(b, a);
        assert.ok(Math.abs(t.p - tBack.p) < 1e-12 && t.p >= 0 && t.p <= 1);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  test('swapping independent samples: U1 ↔ U2, same p; KS symmetric', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const forward = mannWhitneyU(x, y);
        const backward = mannWhitneyU(y, x);
        assert.ok(Math.abs(forward.statistic + backward.statistic - x.length * y.length) < 1e-9);
        assert.ok(Math.abs(forward.p - backward.p) < 1e-12);
        assert.ok(forward.p >= 0 && forward.p <= 1);
        const ks = ks2Sample(x, y);
        const ksBack = ks2Sample(y, x);
        assert.equal(ks.statistic, ksBack.statistic);
        assert.ok(Math.abs(ks.p - ksBack.p) < 1e-12 && ks.p >= 0 && ks.p <= 1);
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  test('adjusted p-values are ≥ raw, ≤ 1, ordered like the raw ones; BH ≤ Holm ≤ Bonferroni', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (p) => {
        const holm = adjustPValues(p, 'holm');
        const bonferroni = adjustPValues(p, 'bonferroni');
        const bh = adjustPValues(p, 'bh');
        p.forEach((raw, i) => {
          assert.ok(bh[i] >= raw - 1e-15 && bh[i] <= holm[i] + 1e-15 && holm[i] <= bonferroni[i] + 1e-15 && bonferroni[i] <= 1);
          p.forEach((other, j) => {
            if (raw < other) assert.ok(holm[i] <= holm[j] && bh[i] <= bh[j]);
          });
        });
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
