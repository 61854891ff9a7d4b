/**
 * The planted problems and the clean split, checked on the full-size cohorts (no images written,
 * so many seeds are cheap). The p-values come from the independent helper in ./chiSquare.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoCase, DemoSplit } from '../../server/src/demo/cohort';
import { planCtCohort } from '../../server/src/demo/ct';
import { planDermoscopyCohort } from '../../server/src/demo/dermoscopy';
import { planHistologyCohort } from '../../server/src/demo/histology';
import { deriveSeed, SeededRandom } from '../../server/src/demo/random';
import { planSplits, type PlantedProblems } from '../../server/src/demo/splitPlan';
import { chiSquareTest, splitLabelTable } from './chiSquare';

const PLANNERS: Record<string, (seed: number, scale: number) => { cases: DemoCase[]; problems: PlantedProblems }> = {
  dermoscopy: planDermoscopyCohort,
  histology: planHistologyCohort,
  ct: planCtCohort,
};
const SEEDS = [1, 2, 3, 11, 2024];

function splitsOfPatients(cases: readonly DemoCase[], splits: ReadonlyMap<string, DemoSplit>): Map<string, Set<DemoSplit>> {
  const out = new Map<string, Set<DemoSplit>>();
  for (const c of cases) out.set(c.patientId, (out.get(c.patientId) ?? new Set()).add(splits.get(c.id)!));
  return out;
}

function share(cases: readonly DemoCase[], splits: ReadonlyMap<string, DemoSplit>, split: DemoSplit, column: string, value: string): number {
  const inSplit = cases.filter((c) => splits.get(c.id) === split);
  return inSplit.filter((c) => c.labels[column] === value).length / inSplit.length;
}

for (const [modality, planCohort] of Object.entries(PLANNERS)) {
  describe(`${modality} split plan (scale 1)`, () => {
    for (const seed of SEEDS) {
      const { cases, problems } = planCohort(seed, 1);
      const plan = planSplits(new SeededRandom(deriveSeed(seed, modality, 'splits')), cases, problems);

      test(`seed ${seed}: every case in exactly one split, in both files`, () => {
        for (const splits of [plan.planted, plan.clean]) {
          assert.equal(splits.size, cases.length);
          for (const c of cases) assert.ok(['train', 'val', 'test'].includes(splits.get(c.id)!));
        }
      });

      test(`seed ${seed}: planted leak — the named patient has images in train and in test`, () => {
        const splits = splitsOfPatients(cases, plan.planted).get(plan.leakPatient)!;
        assert.ok(splits.has('train') && splits.has('test'), [...splits].join(','));
      });

      test(`seed ${seed}: planted drift — ${problems.drift} far more common in test, chi-square p < 0.01`, () => {
        const inTest = share(cases, plan.planted, 'test', problems.column, problems.drift);
        const inTrain = share(cases, plan.planted, 'train', problems.column, problems.drift);
        assert.ok(inTest - inTrain > 0.35, `test ${inTest.toFixed(2)} vs train ${inTrain.toFixed(2)}`);
        const { p } = chiSquareTest(splitLabelTable(cases, plan.planted, problems.column));
        assert.ok(p < 0.01, `p = ${p}`);
      });

      test(`seed ${seed}: planted rare label — ${problems.rare} in test, absent from train`, () => {
        const rare = cases.filter((c) => c.labels[problems.column] === problems.rare);
        assert.ok(rare.length > 0 && rare.length < 0.08 * cases.length, `${rare.length} images`);
        assert.ok(rare.some((c) => plan.planted.get(c.id) === 'test'));
        assert.ok(rare.every((c) => plan.planted.get(c.id) !== 'train'));
      });

      test(`seed ${seed}: split sizes stay near 70/15/15`, () => {
        for (const splits of [plan.planted, plan.clean]) {
          const test_ = [...splits.values()].filter((s) => s === 'test').length / cases.length;
          const val = [...splits.values()].filter((s) => s === 'val').length / cases.length;
          assert.ok(test_ >= 0.1 && test_ <= 0.27, `test share ${test_}`);
          assert.ok(val >= 0.08 && val <= 0.27, `val share ${val}`);
        }
      });

      test(`seed ${seed}: clean split — no patient crosses splits, labels balanced (p > 0.2)`, () => {
        for (const [patient, splits] of splitsOfPatients(cases, plan.clean)) assert.equal(splits.size, 1, `patient ${patient}`);
        const { p } = chiSquareTest(splitLabelTable(cases, plan.clean, problems.column));
        assert.ok(p > 0.2, `p = ${p}`);
        const rare = cases.filter((c) => c.labels[problems.column] === problems.rare);
        if (rare.length > 0 && new Set(rare.map((c) => c.patientId)).size === 1) assert.ok(rare.every((c) => plan.clean.get(c.id) === 'train'));
      });

      if (problems.duplicate) {
        const { original, copy } = problems.duplicate;
        test(`seed ${seed}: duplicate — different patients, train and test when planted, one split when clean`, () => {
          const a = cases.find((c) => c.id === original)!;
          const b = cases.find((c) => c.id === copy)!;
          assert.notEqual(a.patientId, b.patientId);
          assert.notEqual(a.id, b.id);
          assert.equal(plan.planted.get(a.id), 'train');
          assert.equal(plan.planted.get(b.id), 'test');
          assert.equal(plan.clean.get(a.id), plan.clean.get(b.id));
        });
      }
    }
  });
}

describe('cohorts (scale 1)', () => {
  test('dermoscopy: about 3 images per patient, uneven diagnoses (nevus ~60 %, rare ones under 6 %)', () => {
    const { cases } = planDermoscopyCohort(1, 1);
    assert.equal(cases.length, 120);
    const perPatient = cases.length / new Set(cases.map((c) => c.patientId)).size;
    assert.ok(perPatient > 2.5 && perPatient < 3.5, `${perPatient}`);
    const frac = (v: string) => cases.filter((c) => c.labels.diagnosis === v).length / cases.length;
    assert.ok(frac('nevus') > 0.5 && frac('nevus') < 0.7);
    assert.ok(frac('melanoma') > 0.12 && frac('melanoma') < 0.28);
    assert.ok(frac('vascular') > 0 && frac('vascular') < 0.06);
    assert.ok(frac('dermatofibroma') > 0 && frac('dermatofibroma') < 0.1);
  });

  test('histology: about 4 patches per patient, every Gleason group present, benign most common', () => {
    const { cases } = planHistologyCohort(1, 1);
    assert.equal(cases.length, 80);
    const perPatient = cases.length / new Set(cases.map((c) => c.patientId)).size;
    assert.ok(perPatient > 3.3 && perPatient < 4.7, `${perPatient}`);
    const counts = new Map<string, number>();
    for (const c of cases) counts.set(c.labels.gleason, (counts.get(c.labels.gleason) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), ['3+3', '3+4', '4+3', '4+4', '5+5', 'benign']);
    assert.equal(Math.max(...counts.values()), counts.get('benign'));
    assert.ok(counts.get('5+5')! < 10);
  });

  test('ct: one scan per patient except one follow-up, tumour in about half', () => {
    const { cases } = planCtCohort(1, 1);
    assert.equal(cases.length, 24);
    assert.equal(new Set(cases.map((c) => c.patientId)).size, 23);
    const yes = cases.filter((c) => c.labels.tumour === 'yes').length;
    assert.ok(yes >= 9 && yes <= 15, `${yes}`);
    assert.ok(cases.every((c) => /^case_\d{5}\/imaging$/.test(c.id)));
  });
});
