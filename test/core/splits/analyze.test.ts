import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../server/src/core/config';
import type { MedsegConfig, SplitName } from '../../../server/src/core/config/types';
import type { DatasetCase, ResolvedDataset } from '../../../server/src/core/dataset/types';
import type { Finding } from '../../../server/src/core/findings';
import type { CaseScan, ScanResult } from '../../../server/src/core/scan';
import { analyzeSplits } from '../../../server/src/core/splits';
import { chiSquareIndependence, ks2Sample, mannWhitneyU } from '../../../server/src/core/stats';
import { hashOf, makeCase, makeScan } from './support';

const CONFIG_FILE = '/data/exp.medseg.yaml';

function configWith(splits: string | undefined, labelColumns = '[diagnosis]'): MedsegConfig {
  const text = [
    'dataset:',
    '  images: images/*.png',
    '  masks: masks/{stem}.png',
    '  labels: clinical.csv',
    '  group_column: patient_id',
    `  label_columns: ${labelColumns}`,
    ...(splits === undefined ? [] : ['splits:', ...splits.split('\n').map((l) => `  ${l}`)]),
    'models:',
    '  - name: m',
    '    predictions: preds/{stem}.png',
    '',
  ].join('\n');
  const parsed = parseConfig(text, CONFIG_FILE);
  assert.ok(parsed.config, JSON.stringify(parsed.findings));
  return parsed.config;
}

const CONFIG = configWith('file: splits.csv\nalpha: 0.05\nmin_per_label: 5\ntarget_ci_halfwidth: 0.5');

function dataset(cases: DatasetCase[], labelColumns = ['diagnosis']): ResolvedDataset {
  return { cases, splitSource: 'file', labelColumns, findings: [] };
}

function scanOf(scans: CaseScan[]): ScanResult {
  return { scans, findings: [], decoded: scans.length };
}

const codes = (findings: readonly Finding[]) => findings.map((f) => f.code);

/** Cases from a split × value table, ids in table order. */
function casesFromTable(splits: readonly SplitName[], values: readonly string[], table: readonly (readonly number[])[]): DatasetCase[] {
  const out: DatasetCase[] = [];
  splits.forEach((split, i) =>
    values.forEach((value, j) => {
      for (let k = 0; k < table[i][j]; k++) out.push(makeCase(`c${String(out.length).padStart(4, '0')}`, { split, labels: { diagnosis: value } }));
    }),
  );
  return out;
}

interface ChiReference {
  name: string;
  values: string[];
  splits: SplitName[];
  table: number[][];
  statistic: number;
  p: number;
  dof: number;
  cramers_v_bias_corrected: number;
}
const reference = JSON.parse(readFileSync(join(__dirname, '../../fixtures/splits/label_drift.json'), 'utf8')) as { cases: ChiReference[] };
const refCase = (name: string) => reference.cases.find((c) => c.name === name)!;

function close(actual: number | undefined, expected: number, rel = 1e-9): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)), `${actual} vs ${expected}`);
}

describe('analyzeSplits: wiring and scope', () => {
  test('no splits section, or no case with a split: no findings', () => {
    const cases = [makeCase('a', { group: 'P', split: 'train' }), makeCase('b', { group: 'P', split: 'test' })];
    assert.deepEqual(analyzeSplits(configWith(undefined), dataset(cases), undefined), []);
    assert.deepEqual(analyzeSplits(CONFIG, dataset(cases.map((c) => ({ ...c, split: undefined }))), undefined), []);
  });

  test('a planted leak and a planted duplicate are found; image checks only run with a scan', () => {
    const cases = [
      makeCase('a', { group: 'P1', split: 'train', labels: { diagnosis: 'x' } }),
      makeCase('b', { group: 'P1', split: 'test', labels: { diagnosis: 'x' } }),
      makeCase('c', { group: 'P2', split: 'train', labels: { diagnosis: 'x' } }),
      makeCase('d', { group: 'P3', split: 'test', labels: { diagnosis: 'x' } }),
    ];
    const scans = [makeScan('a', { phash: hashOf(1) }), makeScan('b', { phash: hashOf(2) }), makeScan('c', { pixelHash: 'same', phash: hashOf(3) }), makeScan('d', { pixelHash: 'same', phash: hashOf(3) })];
    const metadataOnly = analyzeSplits(CONFIG, dataset(cases), undefined);
    assert.deepEqual(codes(metadataOnly).filter((c) => c !== 'split/rare-label' && c !== 'dataset/rare-label' && c !== 'split/test-too-small'), ['split/patient-leak']);
    const all = analyzeSplits(CONFIG, dataset(cases), scanOf(scans));
    const leak = all.find((f) => f.code === 'split/patient-leak')!;
    assert.equal(leak.location?.file, '/data/images/b.png');
    assert.deepEqual(leak.configPath, ['splits', 'file']);
    const dup = all.filter((f) => f.code === 'split/duplicate-image');
    assert.equal(dup.length, 1);
    assert.equal(dup[0].location?.file, '/data/images/d.png');
    assert.equal(dup[0].related?.[0].location.file, '/data/images/c.png');
    assert.ok(!codes(all).includes('split/near-duplicate'), 'an exact copy is not also a near-duplicate');
    for (const f of all) {
      assert.ok(f.message.length > 0 && f.location && f.configPath, `${f.code} is complete`);
    }
  });
});

describe('analyzeSplits: clinical labels', () => {
  test('label drift: chi-square and bias-corrected V equal scipy on the fixture table, with the over- and under-represented values named', () => {
    const ref = refCase('drift');
    const findings = analyzeSplits(CONFIG, dataset(casesFromTable(ref.splits, ref.values, ref.table)), undefined);
    const drift = findings.filter((f) => f.code === 'split/label-drift');
    assert.equal(drift.length, 1);
    const [f] = drift;
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.configPath, ['dataset', 'label_columns', 0]);
    assert.deepEqual(f.location, { file: CONFIG_FILE });
    close(f.evidence?.statistic, ref.statistic);
    close(f.evidence?.p, ref.p);
    close(f.evidence?.effectSize, ref.cramers_v_bias_corrected);
    assert.match(f.message, /chi-square test of independence/);
    assert.match(f.message, /χ² = 14\.92, dof = 4, p = 0\.0049; bias-corrected Cramér's V = 0\.211/);
    // melanoma: 12 of 22 in test (54.5 %) against 29 of 124 overall (23.4 %).
    assert.match(f.message, /`melanoma` is over-represented in test \(54\.5 % of test vs 23\.4 % overall\)/);
    assert.match(f.message, /`nevus` is under-represented in test/);
  });

  test('proportional splits: no label drift (scipy: χ² = 0, p = 1)', () => {
    const ref = refCase('clean');
    assert.equal(ref.p, 1);
    const findings = analyzeSplits(CONFIG, dataset(casesFromTable(ref.splits, ref.values, ref.table)), undefined);
    assert.ok(!codes(findings).includes('split/label-drift'));
    assert.ok(!codes(findings).includes('split/label-missing-in-train'));
  });

  test('a value absent from train: an error when in test, a warning when only in val; rare values per split', () => {
    const values = ['common', 'rare', 'valonly', 'skewed'];
    // Split sizes 90 / 12 / 14 (of 116): `skewed` (51 images) would get 5.28 in val and 6.16 in
    // test from a proportional split, so its 0 and 1 are the split's fault; `rare` (3) and
    // `valonly` (2) cannot reach 5 anywhere, which is the dataset's size, not the split's.
    const table = [
      [40, 0, 0, 50],
      [10, 0, 2, 0],
      [10, 3, 0, 1],
    ];
    const findings = analyzeSplits(CONFIG, dataset(casesFromTable(['train', 'val', 'test'], values, table)), undefined);
    const missing = findings.filter((f) => f.code === 'split/label-missing-in-train');
    assert.deepEqual(
      missing.map((f) => [f.severity, f.message.slice(0, f.message.indexOf(':'))]),
      [
        ['error', '`diagnosis = rare` has images (3 in test) but no images in train'],
        ['warning', '`diagnosis = valonly` has images (2 in val) but no images in train'],
      ],
    );
    const rare = findings.filter((f) => f.code === 'split/rare-label').map((f) => f.message.slice(0, f.message.indexOf(':')));
    assert.deepEqual(rare, ['`diagnosis = skewed` has fewer than min_per_label = 5 images in val (0; a proportional split would give 5.3), test (1; a proportional split would give 6.2)']);
    // One note for the column, rarest value first, with each value's proportional share of the
    // splits where it stays below 5 (by hand: 2 × 12/116 = 0.21, 2 × 14/116 = 0.24; 3 × 12/116 =
    // 0.31, 3 × 14/116 = 0.36). Neither has a train image, which split/label-missing-in-train
    // reports, so their train shares are not listed again.
    const dataset_ = findings.filter((f) => f.code === 'dataset/rare-label');
    assert.equal(dataset_.length, 1);
    assert.equal(dataset_[0].severity, 'info');
    assert.equal(
      dataset_[0].message,
      '`diagnosis`: 2 values are too rare for a split in these proportions (train 77.6 %, val 10.3 %, test 12.1 %) to give each ' +
        'min_per_label = 5 images in every split. Proportional shares: `valonly` (2 images: val 0.2, test 0.2); ' +
        '`rare` (3: val 0.3, test 0.4). Giving them more in a split would over-represent them there, so no reassignment fixes ' +
        'this; per-label scores there are anecdotes. Collect more images, merge related values, or lower `splits.min_per_label`.',
    );
    assert.equal(dataset_[0].evidence?.statistic, 2, 'the rarest value has 2 images');
  });

  test('dataset/rare-label: one note per column, naming at most 8 values and counting the rest', () => {
    // 10 values of 2 images each, one in train and one in test of a 50 / 50 split: each gets 1.0
    // per split in proportion; `v00` … `v07` are named, 2 more are counted.
    const values = Array.from({ length: 10 }, (_, i) => `v${String(i).padStart(2, '0')}`);
    const findings = analyzeSplits(CONFIG, dataset(casesFromTable(['train', 'test'], values, [values.map(() => 1), values.map(() => 1)])), undefined);
    const notes = findings.filter((f) => f.code === 'dataset/rare-label');
    assert.equal(notes.length, 1);
    assert.match(notes[0].message, /^`diagnosis`: 10 values are too rare for a split in these proportions \(train 50\.0 %, test 50\.0 %\)/);
    assert.match(notes[0].message, /Proportional shares: `v00` \(2 images: train 1\.0, test 1\.0\); `v01` \(2: train 1\.0, test 1\.0\);/);
    assert.match(notes[0].message, /`v07` \(2: train 1\.0, test 1\.0\); and 2 more\./);
    assert.doesNotMatch(notes[0].message, /`v08`/);
  });
});

describe('analyzeSplits: image and mask properties', () => {
  /** 60 train and 20 test cases; `testShift` moves the test brightness up. */
  function propertyFixture(testShift: number, testEmpty = 0): { cases: DatasetCase[]; scans: CaseScan[] } {
    const cases: DatasetCase[] = [];
    const scans: CaseScan[] = [];
    for (let i = 0; i < 80; i++) {
      const split: SplitName = i < 60 ? 'train' : 'test';
      const k = i < 60 ? i : (i - 60) * 3 + 1; // test values interleave the train ones
      const id = `c${String(i).padStart(3, '0')}`;
      cases.push(makeCase(id, { split, labels: { diagnosis: 'x' } }));
      const empty = split === 'test' ? i - 60 < testEmpty : i % 20 === 0;
      scans.push(
        makeScan(id, {
          brightness: 0.3 + 0.004 * k + (split === 'test' ? testShift : 0),
          contrast: 0.1 + ((k * 7) % 60) / 300,
          foregroundPixels: empty ? 0 : 200 + ((k * 13) % 60) * 10,
          components: 1 + (k % 3),
          phash: hashOf(i),
        }),
      );
    }
    return { cases, scans };
  }

  test('no drift when both splits come from one distribution', () => {
    const { cases, scans } = propertyFixture(0);
    assert.ok(!codes(analyzeSplits(CONFIG, dataset(cases), scanOf(scans))).includes('split/property-drift'));
  });

  test('planted brightness shift: one drift finding, with KS D, the smaller p Holm-adjusted, and Shapiro–Wilk', () => {
    const { cases, scans } = propertyFixture(0.5);
    const drift = analyzeSplits(CONFIG, dataset(cases), scanOf(scans)).filter((f) => f.code === 'split/property-drift');
    assert.equal(drift.length, 1);
    const [f] = drift;
    assert.match(f.message, /^The brightness differs between train and test: medians .*; drift score \(KS D\) 1\. Kolmogorov–Smirnov/);
    assert.match(f.message, /Shapiro–Wilk/);
    assert.deepEqual(f.configPath, ['splits']);
    const train = scans.slice(0, 60).map((s) => s.image!.brightness);
    const testValues = scans.slice(60).map((s) => s.image!.brightness);
    const pMin = Math.min(ks2Sample(train, testValues).p, mannWhitneyU(train, testValues).p);
    // Tests made: foreground fraction, components, empty-mask rate, lesion area, brightness, contrast.
    // Holm multiplies the smallest of the 6 p-values by 6.
    close(f.evidence?.p, Math.min(1, 6 * pMin), 1e-12);
    assert.equal(f.evidence?.effectSize, 1);
  });

  test('planted empty-mask rate: chi-square on the 2×2 table', () => {
    const { cases, scans } = propertyFixture(0, 12);
    const drift = analyzeSplits(CONFIG, dataset(cases), scanOf(scans)).filter((f) => f.code === 'split/property-drift');
    // Empty masks have foreground fraction 0, so that distribution shifts too; nothing else does.
    assert.deepEqual(
      drift.map((f) => f.message.slice(0, f.message.indexOf(' differs'))),
      ['The foreground fraction', 'The empty-mask rate'],
    );
    const f = drift[1];
    // Train: 3 empty of 60 (i = 0, 20, 40); test: 12 of 20.
    const chi = chiSquareIndependence([
      [3, 57],
      [12, 8],
    ]);
    assert.match(f.message, /^The empty-mask rate differs between train and test/);
    assert.match(f.message, /5\.0 % \(train, n = 60\) vs 60\.0 % \(test, n = 20\)/);
    assert.equal(f.evidence?.statistic, chi.statistic);
    close(f.evidence?.effectSize, 0.55, 1e-12);
  });
});

describe('analyzeSplits: test-set size', () => {
  const sizeConfig = (target: number) => configWith(`file: splits.csv\ntarget_ci_halfwidth: ${target}`);
  const cases = (nTest: number) => Array.from({ length: 40 + nTest }, (_, i) => makeCase(`c${i}`, { split: i < 40 ? 'train' : 'test' }));
  const sizeFindings = (target: number, nTest: number, observedDiceSd?: number) =>
    analyzeSplits(sizeConfig(target), dataset(cases(nTest), []), undefined, { observedDiceSd }).filter((f) => f.code === 'split/test-too-small');

  test('18 test images, assumed SD 0.25, target 0.05: half-width and images needed by hand', () => {
    // t(0.975, 17) = 2.1098155778 (t table) → 2.1098155778 × 0.25 / √18 = 0.12432.
    const halfWidth = (2.1098155778 * 0.25) / Math.sqrt(18);
    // n = 98: t(0.975, 97) = 1.9847231860 → 0.05012 > 0.05; n = 99: t(0.975, 98) = 1.9844674545 → 0.04986 ≤ 0.05.
    assert.ok((1.984723186 * 0.25) / Math.sqrt(98) > 0.05 && (1.9844674545 * 0.25) / Math.sqrt(99) <= 0.05);
    const [f] = sizeFindings(0.05, 18);
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.configPath, ['splits', 'target_ci_halfwidth']);
    close(f.evidence?.statistic, halfWidth, 1e-8);
    assert.match(f.message, /^The test split has 18 images: with an assumed Dice SD of 0\.25 \(assumed, before any evaluation\)/);
    assert.match(f.message, /±0\.124/);
    assert.match(f.message, /About 99 images are needed \(81 more\)/);
  });

  test('an observed SD is used and named; a split large enough gives nothing', () => {
    // 2.1098155778 × 0.1 / √18 = 0.04973 ≤ 0.05: enough.
    assert.deepEqual(sizeFindings(0.05, 18, 0.1), []);
    const [f] = sizeFindings(0.05, 18, 0.2);
    assert.match(f.message, /with the observed Dice SD of 0\.200/);
    assert.deepEqual(sizeFindings(0.5, 18), []);
  });
});
