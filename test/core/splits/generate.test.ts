import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SplitName } from '../../../server/src/core/config/types';
import type { DatasetCase } from '../../../server/src/core/dataset/types';
import { generateBestSplits, generateSplits, splitQuality } from '../../../server/src/core/splits';
import { deriveSeed } from '../../../server/src/core/util/random';

function makeCase(id: string, extra: Partial<DatasetCase> = {}): DatasetCase {
  return { id, image: `/data/${id}.png`, labels: {}, predictions: {}, ...extra };
}

function countBy(map: ReadonlyMap<string, SplitName>): Record<SplitName, number> {
  const counts = { train: 0, val: 0, test: 0 };
  for (const s of map.values()) counts[s]++;
  return counts;
}

const RATIOS = { train: 0.7, val: 0.15, test: 0.15 };

describe('generateSplits', () => {
  test('groups and volumes never cross splits, zero ratios stay empty, a seed gives one split (property)', () => {
    const caseArb = fc.record({
      group: fc.option(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'), { nil: undefined }),
      volume: fc.option(fc.constantFrom('v1', 'v2', 'v3'), { nil: undefined }),
      diagnosis: fc.option(fc.constantFrom('mel', 'nev', 'bkl'), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(caseArb, { minLength: 1, maxLength: 60 }),
        fc.record({ train: fc.nat(10), val: fc.nat(10), test: fc.nat(10) }).filter((r) => r.train + r.val + r.test > 0),
        fc.integer(),
        (specs, ratios, seed) => {
          const cases = specs.map((s, i) =>
            makeCase(`c${i}`, { group: s.group, volume: s.volume, labels: s.diagnosis ? { diagnosis: s.diagnosis } : {} }),
          );
          const options = { ratios, stratify: ['diagnosis'], seed };
          const split = generateSplits(cases, options);
          assert.equal(split.size, cases.length);
          for (const key of ['group', 'volume'] as const) {
            const seen = new Map<string, SplitName>();
            for (const c of cases) {
              const k = c[key];
              if (k === undefined) continue;
              const s = split.get(c.id)!;
              assert.equal(seen.get(k) ?? s, s, `${key} ${k} crosses splits`);
              seen.set(k, s);
            }
          }
          for (const s of split.values()) assert.ok(ratios[s] > 0, `case put in ${s} whose ratio is 0`);
          assert.deepEqual([...generateSplits(cases, options)], [...split]);
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  test('sizes are within one group of the ratios on a balanced fixture', () => {
    // 30 patients each with 1, 2 and 3 images: 180 images, targets 126 / 27 / 27.
    const cases: DatasetCase[] = [];
    for (let p = 0; p < 90; p++) {
      const n = (p % 3) + 1;
      for (let i = 0; i < n; i++) cases.push(makeCase(`p${p}_${i}`, { group: `p${p}`, labels: { site: p % 2 ? 'head' : 'trunk' } }));
    }
    for (let seed = 0; seed < 10; seed++) {
      const counts = countBy(generateSplits(cases, { ratios: RATIOS, stratify: ['site'], seed }));
      assert.ok(Math.abs(counts.train - 126) <= 3, `seed ${seed}: train ${counts.train}`);
      assert.ok(Math.abs(counts.val - 27) <= 3, `seed ${seed}: val ${counts.val}`);
      assert.ok(Math.abs(counts.test - 27) <= 3, `seed ${seed}: test ${counts.test}`);
    }
  });

  test('without stratification or groups the sizes are exact when the ratios allow it', () => {
    const cases = Array.from({ length: 20 }, (_, i) => makeCase(`c${i}`));
    assert.deepEqual(countBy(generateSplits(cases, { ratios: { train: 0.6, val: 0.2, test: 0.2 }, stratify: [], seed: 3 })), { train: 12, val: 4, test: 4 });
  });

  test('a rare label reaches every split when there are enough of it', () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const rare of [3, 6]) {
        const cases = Array.from({ length: 100 }, (_, i) => makeCase(`c${String(i).padStart(3, '0')}`, { labels: { diagnosis: i < rare ? 'rare' : 'common' } }));
        const split = generateSplits(cases, { ratios: RATIOS, stratify: ['diagnosis'], seed });
        const rareIn = new Set(cases.filter((c) => c.labels.diagnosis === 'rare').map((c) => split.get(c.id)));
        assert.deepEqual([...rareIn].sort(), ['test', 'train', 'val'], `seed ${seed}, ${rare} rare cases`);
        const counts = countBy(split);
        assert.ok(Math.abs(counts.train - 70) <= 1 && Math.abs(counts.val - 15) <= 1, `seed ${seed}: ${JSON.stringify(counts)}`);
      }
    }
  });

  test('label proportions follow the ratios', () => {
    // 40 % melanoma: each split should hold close to 40 % melanoma.
    const cases = Array.from({ length: 200 }, (_, i) => makeCase(`c${i}`, { labels: { diagnosis: i % 5 < 2 ? 'mel' : 'nev' } }));
    const split = generateSplits(cases, { ratios: RATIOS, stratify: ['diagnosis'], seed: 9 });
    for (const s of ['train', 'val', 'test'] as const) {
      const inSplit = cases.filter((c) => split.get(c.id) === s);
      const mel = inSplit.filter((c) => c.labels.diagnosis === 'mel').length;
      assert.ok(Math.abs(mel - 0.4 * inSplit.length) <= 1, `${s}: ${mel} of ${inSplit.length}`);
    }
  });
});

describe('splitQuality', () => {
  const cases = [
    makeCase('A', { labels: { d: 'x' } }),
    makeCase('B', { labels: { d: 'x' } }),
    makeCase('C', { labels: { d: 'y' } }),
    makeCase('D', { labels: { d: 'y' } }),
  ];
  const ratios = { train: 0.5, val: 0, test: 0.5 };
  const assign = (train: string[]) => new Map(cases.map((c) => [c.id, (train.includes(c.id) ? 'train' : 'test') as SplitName]));

  test('matches hand computations', () => {
    // Balanced sizes and labels: every term is 0.
    assert.equal(splitQuality(cases, assign(['A', 'C']), { ratios, stratify: ['d'] }), 0);
    // Sizes 2/2 (0); x: (2−1)²/1 + (0−1)²/1 = 2, y likewise 2; x absent from test and y from
    // train, each carried by 2 groups for 2 splits: 2 × PRESENCE_PENALTY (2) = 4. Total 8.
    assert.equal(splitQuality(cases, assign(['A', 'B']), { ratios, stratify: ['d'] }), 8);
    // Without stratification, sizes 3/1 against 2/2: (3−2)²/2 + (1−2)²/2 = 1.
    assert.equal(splitQuality(cases, assign(['A', 'B', 'C']), { ratios, stratify: [] }), 1);
    assert.equal(splitQuality([], new Map(), { ratios, stratify: ['d'] }), 0);
    assert.equal(generateSplits([], { ratios, stratify: ['d'], seed: 1 }).size, 0);
  });

  test('generateBestSplits is deterministic and never worse than its first seed', () => {
    const many = Array.from({ length: 120 }, (_, i) =>
      makeCase(`c${i}`, { group: `p${Math.floor(i / 3)}`, labels: { d: ['a', 'b', 'c', 'd'][i % 7 % 4], site: i % 3 ? 'h' : 't' } }),
    );
    const options = { ratios: RATIOS, stratify: ['d', 'site'], seed: 5 };
    const best = generateBestSplits(many, { ...options, tries: 8 });
    assert.deepEqual([...generateBestSplits(many, { ...options, tries: 8 })], [...best]);
    // The k-th try uses deriveSeed(seed, k); the kept split is at least as good as every try.
    const bestQuality = splitQuality(many, best, options);
    for (let k = 0; k < 8; k++) {
      const seed = k === 0 ? options.seed : deriveSeed(options.seed, k);
      assert.ok(bestQuality <= splitQuality(many, generateSplits(many, { ...options, seed }), options) + 1e-9, `try ${k}`);
    }
    assert.deepEqual([...generateBestSplits(many, { ...options, tries: 1 })], [...generateSplits(many, options)]);
  });
});
