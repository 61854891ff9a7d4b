import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PerImageRow } from '../../../server/src/core/results/perImage';
import { runLabelMixStress, type LabelMixOptions } from '../../../server/src/core/stress/labelMixStress';

/**
 * Planted by construction: 16 "common" images and 4 "rare" ones. Model A: Dice 0.9 on common,
 * 0.1 on rare; model B: 0.7 on both. On the split A leads (0.74 vs 0.70); when the rare value is
 * oversampled to the common one's share (10 + 10 images) A falls to 0.5 and B leads.
 */
const ids = [...Array.from({ length: 16 }, (_, i) => `c${String(i).padStart(2, '0')}`), ...Array.from({ length: 4 }, (_, i) => `r${i}`)];
const isRare = (id: string) => id.startsWith('r');

function row(imageId: string, method: string, dice: number): PerImageRow {
  // 100-pixel images with a 20-pixel lesion, counts consistent with the Dice: 2tp/(2tp+fp+fn)
  const tp = Math.round(20 * dice), fn = 20 - tp, fp = fn;
  return { imageId, split: 'test', method, metrics: { dice }, refPixels: 20, predPixels: tp + fp, tp, fp, fn, tn: 100 - tp - fp - fn };
}

const rows: PerImageRow[] = ids.flatMap((id) => [
  row(id, 'A', isRare(id) ? 0.1 : 0.9),
  row(id, 'B', 0.7),
  row(id, 'fusion:best', 1),
]);
const labels = (id: string) => ({ grade: isRare(id) ? 'rare' : 'common' });
const options: LabelMixOptions = {
  mixes: (['zipf', 'dominant', 'rare_oversampled', 'removed'] as const).map((kind) => ({ column: 'grade', kind })),
  repeats: 25,
  seed: 3,
  bootstrap: 200,
  bootstrapSeed: 1,
  minPerLabel: 5,
  unranked: ['fusion:best'],
};
const methods = ['A', 'B', 'fusion:best'];

describe('label-mix stress on planted rows', () => {
  const { section, notes } = runLabelMixStress(rows, methods, labels, options);
  const byName = new Map(section.scenarios.map((s) => [s.name, s]));

  test('baseline: the split as it is, A ahead of B, the upper bound not ranked', () => {
    assert.equal(section.baseline.images, 20);
    assert.ok(Math.abs(section.baseline.methods.A.dice.mean! - (16 * 0.9 + 4 * 0.1) / 20) < 1e-12);
    assert.ok(Math.abs(section.baseline.methods.B.dice.mean! - 0.7) < 1e-12);
    assert.deepEqual(section.baseline.ranking, ['A', 'B']);
    assert.deepEqual(notes, []);
  });

  test('scenarios: zipf, dominant per value, rare_oversampled, removed per value', () => {
    assert.deepEqual([...byName.keys()], ['zipf', 'dominant:common', 'dominant:rare', 'rare_oversampled', 'removed:common', 'removed:rare']);
  });

  test('rare oversampled: 10 + 10 images, A at exactly 0.5, B ahead: the ranking change is flagged', () => {
    const s = byName.get('rare_oversampled')!;
    assert.deepEqual(s.counts, { common: 10, rare: 10 });
    assert.deepEqual(s.available, { common: 16, rare: 4 });
    assert.ok(Math.abs(s.methods.A.dice.mean! - 0.5) < 1e-12);
    assert.deepEqual(s.methods.A.dice.ci95!.map((x) => Math.round(x * 1e12) / 1e12), [0.5, 0.5]);
    assert.deepEqual(s.ranking, ['B', 'A']);
    assert.equal(s.ranking_changed, true);
    assert.deepEqual(s.swaps, [['A', 'B']]);
    assert.equal(s.changed_in_repeats, 1);
    assert.match(s.note!, /rare \(50 % of the sample\) from 4 distinct images/);
    // Type II: A misses lesion pixels on rare images: FN = 20 − 2 = 18 there, 2 on common.
    assert.ok(Math.abs(s.methods.A.fn_pixel_rate.mean! - (10 * 18 + 10 * 2) / (20 * 20)) < 1e-12);
    assert.equal(s.methods.A.empty_ref_fp_rate.mean, undefined); // no empty reference in this split
  });

  test('dominant rare: A at (4·0.9 + 16·0.1)/20; removed rare keeps the order', () => {
    const d = byName.get('dominant:rare')!;
    assert.deepEqual(d.counts, { common: 4, rare: 16 });
    assert.ok(Math.abs(d.methods.A.dice.mean! - (4 * 0.9 + 16 * 0.1) / 20) < 1e-12);
    assert.equal(d.ranking_changed, true);
    const r = byName.get('removed:rare')!;
    assert.deepEqual(r.counts, { common: 20, rare: 0 });
    assert.equal(r.ranking_changed, false);
    assert.deepEqual(r.swaps, []);
  });

  test('a tie is not a change: zipf gives A exactly B’s 0.7 (15 common + 5 rare)', () => {
    const z = byName.get('zipf')!;
    assert.deepEqual(z.counts, { common: 15, rare: 5 });
    assert.ok(Math.abs(z.methods.A.dice.mean! - 0.7) < 1e-12);
    assert.equal(z.ranking_changed, false);
    assert.equal(z.changed_in_repeats, 0);
  });

  test('seeded: the same options give the same numbers; each scenario’s draws do not depend on the others', () => {
    const again = runLabelMixStress(rows, methods, labels, options).section;
    assert.deepEqual(again, section);
    // Per-image values that vary within a value, so draws matter.
    const varied = rows.map((r) => (r.method === 'B' ? { ...r, metrics: { dice: 0.5 + 0.01 * ids.indexOf(r.imageId) } } : r));
    const all = runLabelMixStress(varied, methods, labels, options).section.scenarios.find((s) => s.name === 'zipf')!;
    const alone = runLabelMixStress(varied, methods, labels, { ...options, mixes: [{ column: 'grade', kind: 'zipf' }] }).section.scenarios[0];
    assert.deepEqual(alone.methods.B.dice_per_repeat, all.methods.B.dice_per_repeat);
    const otherSeed = runLabelMixStress(varied, methods, labels, { ...options, seed: 4, mixes: [{ column: 'grade', kind: 'zipf' }] }).section.scenarios[0];
    assert.notDeepEqual(otherSeed.methods.B.dice_per_repeat, alone.methods.B.dice_per_repeat);
    // The interval is the 2.5–97.5 percentile of the repeats' means (numpy's linear rule).
    const reps = [...(alone.methods.B.dice_per_repeat as number[])].sort((a, b) => a - b);
    const q = (p: number) => {
      const h = (reps.length - 1) * p, lo = Math.floor(h);
      return reps[lo] + (h - lo) * (reps[Math.min(lo + 1, reps.length - 1)] - reps[lo]);
    };
    assert.ok(Math.abs(alone.methods.B.dice.ci95![0] - q(0.025)) < 1e-12);
    assert.ok(Math.abs(alone.methods.B.dice.ci95![1] - q(0.975)) < 1e-12);
  });

  test('a column with one value, or none, is skipped with a note', () => {
    const { section: s, notes: n } = runLabelMixStress(rows, methods, () => ({ grade: 'same' }), { ...options, mixes: [{ column: 'grade', kind: 'zipf' }] });
    assert.deepEqual(s.scenarios, []);
    assert.match(n[0], /only the value same/);
  });
});
