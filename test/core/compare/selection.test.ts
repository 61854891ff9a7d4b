import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { friedmanAcross, metricValues, selectBest } from '../../../server/src/core/compare';
import type { PerImageRow } from '../../../server/src/core/results/perImage';
import { PerImageTable } from '../../../server/src/core/results/perImageTable';

function row(imageId: string, method: string, dice: number | undefined): PerImageRow {
  return { imageId, split: 'test', method, metrics: { dice }, refPixels: 1, predPixels: 1, tp: 1, fp: 0, fn: 0, tn: 0 };
}

// Axis in an order that is not the id order; m2 has no row for `b`; m3 has an undefined Dice on `c`.
const table = PerImageTable.fromRows([
  row('d', 'm1', 0.9), row('d', 'm2', 0.5), row('d', 'm3', 0.2),
  row('b', 'm1', 0.6),                      row('b', 'm3', 0.85),
  row('c', 'm1', 0.3), row('c', 'm2', 0.4), row('c', 'm3', undefined),
  row('a', 'm1', 0.7), row('a', 'm2', 0.75), row('a', 'm3', 0.1),
]);
const labels: Record<string, Record<string, string>> = { a: { site: 'x' }, b: { site: 'y' }, c: { site: 'x' }, d: { site: 'x' } };

describe('selection and Friedman on the per-image table', () => {
  test('means over the defined values, correct images at Dice ≥ 0.7, hard cases by id, per label', () => {
    const dice = metricValues(table, 'dice');
    const s = selectBest(['m1', 'm2', 'm3'], 'dice', dice, [], 0.05, dice, 0.7, (id) => labels[id], ['site']);
    // By hand: m1 (0.9 + 0.6 + 0.3 + 0.7) / 4 = 0.625; m2 (0.5 + 0.4 + 0.75) / 3 = 0.55; m3 (0.2 + 0.85 + 0.1) / 3.
    assert.equal(s.means.m1, (0.9 + 0.6 + 0.3 + 0.7) / 4);
    assert.equal(s.means.m2, (0.5 + 0.4 + 0.75) / 3);
    assert.equal(s.means.m3, (0.2 + 0.85 + 0.1) / 3);
    assert.equal(s.best_method, 'm1');
    // Dice ≥ 0.7: a (m1, m2), b (m3), d (m1); c none.
    assert.deepEqual(s.correct_images, { m1: 2, m2: 1, m3: 1 });
    assert.equal(s.correct_by_any, 3);
    assert.deepEqual(s.hard_cases, ['c']);
    assert.deepEqual(s.by_label, {
      site: { x: { images: 3, correct: { m1: 2, m2: 1, m3: 0 }, hard: 1 }, y: { images: 1, correct: { m1: 0, m2: 0, m3: 1 }, hard: 0 } },
    });
  });

  test('Friedman uses only the images every method has (a and d here)', () => {
    const f = friedmanAcross(['m1', 'm2', 'm3'], 'dice', metricValues(table, 'dice'));
    assert.ok(f);
    assert.equal(f.n, 2);
    // Ranks per block: d (0.9, 0.5, 0.2) → 3, 2, 1; a (0.7, 0.75, 0.1) → 2, 3, 1. Rank sums 5, 5, 2.
    // chi² = 12 / (n k (k+1)) · Σ R² − 3 n (k+1) = 12 / 24 · (25 + 25 + 4) − 24 = 3; df 2; p = exp(−3/2).
    assert.ok(Math.abs(f.statistic - 3) < 1e-12);
    assert.equal(f.df, 2);
    assert.ok(Math.abs(f.p - Math.exp(-1.5)) < 1e-12);
  });

  test('a lower-is-better primary metric picks the lowest mean; rvd the one nearest 0', () => {
    const withMetrics = (method: string, metrics: PerImageRow['metrics']): PerImageRow => ({ ...row('a', method, 0.5), metrics });
    const t = PerImageTable.fromRows([withMetrics('m1', { dice: 0.5, hd: 4, rvd: -0.3 }), withMetrics('m2', { dice: 0.5, hd: 2, rvd: 0.1 }), withMetrics('m3', { dice: 0.5, hd: 3, rvd: 0.2 })]);
    const dice = metricValues(t, 'dice');
    const pick = (metric: 'hd' | 'rvd') => selectBest(['m1', 'm2', 'm3'], metric, metricValues(t, metric), [], 0.05, dice, 0.7, () => ({}), []).best_method;
    assert.equal(pick('hd'), 'm2');
    assert.equal(pick('rvd'), 'm2');
  });
});
