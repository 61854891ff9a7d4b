import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareFamilies, compareModels, modelColumns } from '../../../server/src/core/explain/explainSummary';
import type { ExplainedImage } from '../../../server/src/core/explain';
import { pairedTTest, wilcoxonSignedRank } from '../../../server/src/core/stats';

function row(id: string, insideReference: number | null, insideFp = 0.1, insideFn = 0.2): ExplainedImage {
  return { id, split: 'test', heatmap: '', heat_max: 1, target_pixels: 10, dice: 0.8, inside_reference: insideReference, inside_prediction: null, inside_fp: insideFp, inside_fn: insideFn, seconds: 0.5 };
}

describe('explain summaries: models and families on the same images', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  // Two TII models and one LMI model; image `f` has no value for tii-2, image `e` no row for lmi.
  const tii1 = modelColumns('tii-1', 'TII', ids, [row('a', 0.9), row('b', 0.8), row('c', 0.7), row('d', 0.95), row('e', 0.6), row('f', 0.85)]);
  const tii2 = modelColumns('tii-2', 'TII', ids, [row('a', 0.7), row('b', 0.9), row('c', 0.65), row('d', 0.85), row('e', 0.8), row('f', null)]);
  const lmi = modelColumns('lmi', 'LMI', ids, [row('a', 0.5), row('b', 0.55), row('c', 0.7), row('d', 0.4), row('f', 0.3)]);

  test('a family’s value on an image is the mean over its models, on images where every member has one', () => {
    const [heat] = compareFamilies([tii1, tii2, lmi], 0.05).filter((f) => f.metric === 'inside_reference');
    // TII per image: a 0.8, b 0.85, c 0.675, d 0.9, e 0.7, f — (tii-2 missing); LMI: a 0.5, b 0.55, c 0.7, d 0.4, e —, f 0.3.
    // Shared: a, b, c, d.
    const xa = [0.8, 0.85, 0.675, 0.9];
    const xb = [0.5, 0.55, 0.7, 0.4];
    assert.equal(heat.n, 4);
    assert.deepEqual([heat.a, heat.b], ['TII', 'LMI']);
    assert.ok(Math.abs(heat.mean_a - 0.80625) < 1e-12 && Math.abs(heat.mean_b - 0.5375) < 1e-12);
    const t = pairedTTest(xa, xb);
    const w = wilcoxonSignedRank(xa, xb);
    assert.ok([t.p, w.p].includes(heat.p), 'one of the two paired tests, chosen by Shapiro–Wilk');
    assert.equal(heat.p_adjusted, heat.p, 'one pair of families: Holm leaves p alone');
  });

  test('type I and type II shares are compared too; models pairwise with Holm over the three pairs', () => {
    const families = compareFamilies([tii1, tii2, lmi], 0.05);
    assert.deepEqual(families.map((f) => f.metric), ['inside_reference', 'inside_fp', 'inside_fn']);
    const models = compareModels([tii1, tii2, lmi], 0.05);
    assert.deepEqual(models.map((m) => `${m.a}/${m.b}`), ['tii-1/tii-2', 'tii-1/lmi', 'tii-2/lmi']);
    const sorted = [...models].sort((x, y) => x.p - y.p);
    // Holm: the smallest p times 3, the next times 2 (monotone), the largest times 1.
    assert.ok(Math.abs(sorted[0].p_adjusted - Math.min(1, 3 * sorted[0].p)) < 1e-12);
    assert.equal(models.find((m) => m.a === 'tii-1' && m.b === 'tii-2')!.n, 5);
  });
});
