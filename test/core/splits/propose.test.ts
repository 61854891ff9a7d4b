import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConfig } from '../../../server/src/core/config';
import type { SplitName } from '../../../server/src/core/config/types';
import type { DatasetCase } from '../../../server/src/core/dataset/types';
import { chooseSplits, generateSplits, proposeSplits, splitCsvText, splitQuality, splitQualityParts } from '../../../server/src/core/splits';
import { countDriftFindings } from '../../../server/src/core/splits/propose';
import { ks2Sample } from '../../../server/src/core/stats';
import { deriveSeed } from '../../../server/src/core/util/random';
import { hashOf, makeCase, makeScan } from './support';

const RATIOS = { train: 0.7, val: 0.15, test: 0.15 };

describe('generateSplits with linked cases', () => {
  test('groups, volumes and `together` sets never cross splits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ group: fc.option(fc.constantFrom('p1', 'p2', 'p3', 'p4'), { nil: undefined }), d: fc.constantFrom('a', 'b') }), { minLength: 2, maxLength: 50 }),
        fc.array(fc.array(fc.nat(49), { minLength: 2, maxLength: 4 }), { maxLength: 4 }),
        fc.integer(),
        (specs, links, seed) => {
          const cases = specs.map((s, i) => makeCase(`c${i}`, { group: s.group, labels: { d: s.d } }));
          const together = links.map((l) => l.filter((i) => i < cases.length).map((i) => `c${i}`));
          const split = generateSplits(cases, { ratios: RATIOS, stratify: ['d'], seed, together });
          for (const set of together) assert.equal(new Set(set.map((id) => split.get(id))).size <= 1, true, `linked ${set} crosses`);
          const byGroup = new Map<string, SplitName>();
          for (const c of cases) {
            if (c.group === undefined) continue;
            assert.equal(byGroup.get(c.group) ?? split.get(c.id), split.get(c.id));
            byGroup.set(c.group, split.get(c.id)!);
          }
        },
      ),
      { numRuns: 150, seed: 3 },
    );
  });
});

describe('splitQuality with image and mask properties', () => {
  const cases = ['A', 'B', 'C', 'D'].map((id) => makeCase(id));
  const assignment = new Map<string, SplitName>([
    ['A', 'train'],
    ['B', 'train'],
    ['C', 'test'],
    ['D', 'test'],
  ]);
  const ratios = { train: 0.5, val: 0, test: 0.5 };
  const quality = (values: number[]) => splitQuality(cases, assignment, { ratios, stratify: [], properties: { x: new Map(values.map((v, i) => [cases[i].id, v])) } });

  test('hand computations: D²·n·m/(n + m) per property and split pair', () => {
    // Train {1, 2} and test {3, 4}: D = 1, n = m = 2 → 1 · 2 · 2 / 4 = 1; sizes are on ratio (0).
    assert.equal(quality([1, 2, 3, 4]), 1);
    // Train {1, 3}, test {2, 4}: D = 1/2 → 0.25.
    assert.equal(quality([1, 3, 2, 4]), 0.25);
    // Ties across splits: train {1, 2}, test {2, 3}: after 2 the CDFs are 1 and 1/2 → D = 1/2 → 0.25.
    assert.equal(quality([1, 2, 2, 3]), 0.25);
    assert.equal(quality([5, 5, 5, 5]), 0);
    // A case without a value takes no part: train {1}, test {2, 3} → D = 1, 1 · 1 · 2 / 3.
    const partial = splitQuality(cases, assignment, { ratios, stratify: [], properties: { x: new Map([['A', 1], ['C', 2], ['D', 3]]) } });
    assert.equal(partial, 2 / 3);
    assert.deepEqual(splitQualityParts(cases, assignment, { ratios, stratify: [] }), { labels: 0, properties: 0 });
  });

  test('equals the sum over split pairs of KS D from the stats module (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom<SplitName>('train', 'val', 'test'), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 40 }), (rows) => {
        const cs = rows.map((_, i) => makeCase(`c${i}`));
        const a = new Map(rows.map(([s], i) => [`c${i}`, s]));
        const values = new Map(rows.map(([, v], i) => [`c${i}`, v]));
        const parts = splitQualityParts(cs, a, { ratios: RATIOS, stratify: [], properties: { v: values } });
        let expected = 0;
        const splits = (['train', 'val', 'test'] as const).map((s) => rows.filter(([t]) => t === s).map(([, v]) => v));
        for (let i = 0; i < 3; i++)
          for (let j = i + 1; j < 3; j++) {
            if (splits[i].length === 0 || splits[j].length === 0) continue;
            const d = ks2Sample(splits[i], splits[j]).statistic;
            expected += (d * d * splits[i].length * splits[j].length) / (splits[i].length + splits[j].length);
          }
        assert.ok(Math.abs(parts.properties - expected) < 1e-9, `${parts.properties} vs ${expected}`);
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});

describe('chooseSplits', () => {
  const cases = Array.from({ length: 60 }, (_, i) => makeCase(`c${String(i).padStart(2, '0')}`, { group: `p${Math.floor(i / 2)}`, labels: { d: ['a', 'b', 'c'][i % 3] } }));
  const options = { ratios: RATIOS, stratify: ['d'], seed: 9, tries: 10 };
  const trySeed = (k: number) => (k === 0 ? options.seed : deriveSeed(options.seed, k));

  test('a lower penalty wins over a better quality; among equal penalties the best quality; reproducible from the chosen seed', () => {
    const penalty = (a: ReadonlyMap<string, SplitName>) => (a.get('c00') === 'test' ? 0 : 1);
    const chosen = chooseSplits(cases, { ...options, penalty });
    const tries = Array.from({ length: 10 }, (_, k) => generateSplits(cases, { ...options, seed: trySeed(k) }));
    const best = Math.min(...tries.map(penalty));
    assert.equal(chosen.penalty, best);
    const quality = (a: ReadonlyMap<string, SplitName>) => splitQuality(cases, a, options);
    for (const t of tries) if (penalty(t) === best) assert.ok(quality(chosen.assignment) <= quality(t) + 1e-9);
    assert.equal(chosen.seed, trySeed(chosen.tryIndex));
    assert.deepEqual([...chosen.assignment], [...generateSplits(cases, { ...options, seed: chosen.seed })]);
    assert.deepEqual([...chooseSplits(cases, { ...options, penalty }).assignment], [...chosen.assignment]);
  });
});

describe('proposeSplits', () => {
  const config = parseConfig(
    'dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\n  labels: clinical.csv\n  group_column: patient_id\n  label_columns: [diagnosis]\nsplits:\n  file: splits.csv\nmodels:\n  - predictions: p/{stem}.png\n',
    '/data/exp.medseg.yaml',
  ).config!;
  const cases: DatasetCase[] = Array.from({ length: 90 }, (_, i) =>
    makeCase(`c${String(i).padStart(2, '0')}`, { group: `p${Math.floor(i / 3)}`, labels: { diagnosis: i % 5 < 2 ? 'mel' : 'nev' } }),
  );
  // c05 (patient p1) is an exact copy of c50 (patient p16); c07 a near copy of c70.
  const scans = cases.map((c, i) =>
    makeScan(c.id, {
      brightness: 0.3 + ((i * 37) % 90) / 200,
      foregroundPixels: 100 + ((i * 53) % 90) * 5,
      phash: i === 5 ? hashOf(50) : i === 7 ? hashOf(70).replace(/.$/, (h) => (parseInt(h, 16) ^ 1).toString(16)) : hashOf(i),
      pixelHash: i === 5 ? 'pixels-of-c50' : undefined,
    }),
  );
  const dataset = { cases, splitSource: 'file' as const, labelColumns: ['diagnosis'], findings: [] };
  const scan = { scans, findings: [], decoded: scans.length };

  test('duplicates and patients stay together; the chosen split has the fewest drift findings of its tries; deterministic', () => {
    const proposed = proposeSplits(config, dataset, scan, { seed: 4, tries: 6 });
    const a = proposed.assignment;
    assert.equal(proposed.linkedSets, 2);
    assert.equal(a.get('c05'), a.get('c50'));
    assert.equal(a.get('c07'), a.get('c70'));
    for (let p = 0; p < 30; p++) assert.equal(new Set([0, 1, 2].map((k) => a.get(cases[3 * p + k].id))).size, 1);
    assert.equal(proposed.penalty, countDriftFindings(config, ['diagnosis'], cases, scans, a));
    assert.deepEqual(proposed.stratify, ['diagnosis']);
    assert.deepEqual([...proposeSplits(config, dataset, scan, { seed: 4, tries: 6 }).assignment], [...a]);
    const csv = splitCsvText(cases, a).split('\n');
    assert.equal(csv[0], 'image_id,split');
    assert.equal(csv[1], `c00,${a.get('c00')}`);
    assert.equal(csv.length, 92);
  });
});
