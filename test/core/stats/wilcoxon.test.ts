import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { wilcoxonSignedRank } from '../../../server/src/core/stats';
import { assertP, assertStatistic, reference } from './reference';

/** Brute force: enumerate all 2^n sign patterns of the ranks of the non-zero |d| (small n only). */
function bruteForceP(d: number[]): number {
  const nonZero = d.filter((v) => v !== 0);
  const abs = nonZero.map(Math.abs);
  const ranks = abs.map((v) => abs.filter((w) => w < v).length + (abs.filter((w) => w === v).length + 1) / 2);
  const observed = ranks.reduce((s, r, i) => s + (nonZero[i] > 0 ? r : 0), 0);
  let le = 0;
  let ge = 0;
  const total = 2 ** ranks.length;
  for (let mask = 0; mask < total; mask++) {
    let s = 0;
    for (let i = 0; i < ranks.length; i++) if (mask & (1 << i)) s += ranks[i];
    if (s <= observed + 1e-9) le++;
    if (s >= observed - 1e-9) ge++;
  }
  return Math.min(1, (2 * Math.min(le, ge)) / total);
}

describe('wilcoxonSignedRank', () => {
  test('matches scipy.stats.wilcoxon on every fixture (exact, permutation, asymptotic)', () => {
    for (const c of reference.wilcoxon) {
      const r = wilcoxonSignedRank(c.a, c.b);
      assert.equal(r.method, c.method, `${c.name} method`);
      assertStatistic(r.statistic, c.statistic, `${c.name} statistic`);
      assertP(r.p, c.p, `${c.name} p`);
      if (c.p_exact !== undefined) assertP(r.p, c.p_exact, `${c.name} p (exact integers)`);
      assertStatistic(r.rankSumPositive, c.r_plus, `${c.name} R+`);
      assertStatistic(r.rankSumNegative, c.r_minus, `${c.name} R-`);
      assertStatistic(r.effectSize, c.rank_biserial, `${c.name} rank-biserial`);
    }
  });

  test('exact and permutation p-values equal a brute-force enumeration', () => {
    for (const c of reference.wilcoxon.filter((x: { method: string; a: number[] }) => x.method !== 'asymptotic' && x.a.length <= 13)) {
      const d = c.a.map((v: number, i: number) => v - c.b[i]);
      assert.ok(Math.abs(wilcoxonSignedRank(c.a, c.b).p - bruteForceP(d)) < 1e-12, c.name);
    }
  });

  test('by hand: five positive differences', () => {
    // R+ = 15, R− = 0; only 1 of 32 sign patterns is this extreme on each side: p = 2/32.
    const r = wilcoxonSignedRank([2, 3, 4, 5, 6], [1, 1, 1, 1, 1]);
    assert.equal(r.method, 'exact');
    assert.equal(r.statistic, 0);
    assert.equal(r.p, 0.0625);
    assert.equal(r.effectSize, 1);
  });

  test('all differences zero: p = 1 at any n', () => {
    for (const n of [5, 30, 80]) {
      const x = Array.from({ length: n }, (_, i) => i / 10);
      const r = wilcoxonSignedRank(x, x);
      assert.deepEqual([r.statistic, r.p, r.effectSize, r.nonZero], [0, 1, 0, 0]);
    }
  });
});
