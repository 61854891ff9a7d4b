import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reportStressSection } from '../../../server/src/core/report/stressSection';
import { readStressReport, readStressReportIfPresent, stressReportSection, swapPhrases, type StressReport } from '../../../server/src/core/stress';

/** Hand-written: methods a, b, fusion:union and the upper bound fusion:best; the split ranks union > a > b. */
const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'stress', 'stress.json');
const report = JSON.parse(readFileSync(FIXTURE, 'utf8')) as StressReport;

describe('stressReportSection: label mixes', () => {
  const section = stressReportSection(report);

  test('one table per label column, each starting with the split as it is', () => {
    assert.deepEqual(
      section.labelMixes.map((c) => [c.column, c.scenarios.map((s) => s.name)]),
      [
        ['grade', ['test split as it is', 'rare_oversampled', 'removed:rare']],
        ['site', ['test split as it is', 'zipf']],
      ],
    );
    const [base, rare, removed] = section.labelMixes[0].scenarios;
    assert.equal(base.baseline, true);
    assert.equal(base.detail, '12 images');
    // Shares of 0 are left out; 6 + 6 and 9 images drawn per repeat.
    assert.equal(rare.detail, 'common 50%, rare 50% · 12 images × 4 repeats');
    assert.equal(removed.detail, 'common 100% · 9 images × 4 repeats');
    assert.equal(removed.note, 'Only 9 distinct images of common: every repeat draws all of them.');
  });

  test('the split as it is: ranks 1..3, the upper bound unranked, undefined rates left out', () => {
    const base = section.labelMixes[0].scenarios[0];
    assert.deepEqual(base.methods, [
      { method: 'a', rankChanged: false, dice: 0.8, ci95: [0.7, 0.9], rank: 2, splitRank: 2, fpPixelRate: 0.012, fnPixelRate: 0.2, missedRate: 0 },
      { method: 'b', rankChanged: false, dice: 0.75, ci95: [0.65, 0.85], rank: 3, splitRank: 3, fpPixelRate: 0.03, emptyRefFpRate: 0.5, fnPixelRate: 0.1, missedRate: 0.125 },
      { method: 'fusion:union', rankChanged: false, dice: 0.82, ci95: [0.74, 0.9], rank: 1, splitRank: 1, fpPixelRate: 0.04, emptyRefFpRate: 0.5, fnPixelRate: 0.05, missedRate: 0 },
      { method: 'fusion:best', rankChanged: false, dice: 0.85, ci95: [0.78, 0.92], fpPixelRate: 0.01, emptyRefFpRate: 0.25, fnPixelRate: 0.05, missedRate: 0 },
    ]);
  });

  test('rare oversampled: b overtakes a; both marked, union and the upper bound not', () => {
    const rare = section.labelMixes[0].scenarios[1];
    assert.equal(rare.rankingChanged, true);
    assert.equal(rare.changedInRepeats, 0.75);
    assert.deepEqual(rare.swaps, ['b now ahead of a']);
    assert.deepEqual(
      rare.methods.map((m) => [m.method, m.dice, m.rank, m.splitRank, m.rankChanged]),
      [
        ['a', 0.55, 3, 2, true],
        ['b', 0.7, 2, 3, true],
        ['fusion:union', 0.72, 1, 1, false],
        ['fusion:best', 0.8, undefined, undefined, false],
      ],
    );
    assert.deepEqual(rare.methods[0].ci95, [0.45, 0.65]);
    assert.equal(rare.methods[0].missedRate, 0.5);
    const removed = section.labelMixes[0].scenarios[2];
    assert.equal(removed.rankingChanged, false);
    assert.deepEqual(removed.swaps, []);
    assert.ok(removed.methods.every((m) => !m.rankChanged));
  });

  test('zipf on site: pairs of two models are named before pairs with a fusion', () => {
    const zipf = section.labelMixes[1].scenarios[1];
    // stress.json lists (fusion:union, b) first; the model pair (a, b) comes first in the text.
    assert.deepEqual(zipf.swaps, ['b now ahead of a', 'b now ahead of fusion:union']);
    assert.deepEqual(
      zipf.methods.map((m) => [m.method, m.rank, m.rankChanged]),
      [
        ['a', 3, true],
        ['b', 1, true],
        ['fusion:union', 2, true],
        ['fusion:best', undefined, false],
      ],
    );
  });

  test('swapPhrases keeps the order within model pairs and within fusion pairs', () => {
    assert.deepEqual(
      swapPhrases([
        ['fusion:majority', 'x'],
        ['x', 'y'],
        ['fusion:union', 'fusion:staple'],
        ['z', 'y'],
      ]),
      ['y now ahead of x', 'y now ahead of z', 'x now ahead of fusion:majority', 'fusion:staple now ahead of fusion:union'],
    );
  });
});

describe('stressReportSection: perturbations', () => {
  const section = stressReportSection(report);
  const blur = section.perturbations[0];
  const flip = section.perturbations[1];

  test('the header fields and notes come from stress.json', () => {
    assert.equal(section.split, 'test');
    assert.equal(section.repeats, 4);
    assert.equal(section.seed, 7);
    assert.equal(section.dropThreshold, 0.1);
    assert.equal(section.upperBound, 'fusion:best');
    assert.equal(section.perturbationImages, 12);
    assert.deepEqual(section.notes, ['A hand-written stress.json for the report tests (numbers chosen, not computed).']);
  });

  test('blur: one curve per method, undefined values as null, the broken line at level-0 Dice − 0.1', () => {
    assert.equal(blur.kind, 'blur');
    assert.equal(blur.graded, true);
    assert.deepEqual(blur.levels.map((l) => l.strength), [0, 0.5, 1, 2]);
    assert.deepEqual(blur.curves.map((c) => [c.method, c.upperBound]), [
      ['a', false],
      ['b', false],
      ['fusion:union', false],
      ['fusion:best', true],
    ]);
    const [a, b, union] = blur.curves;
    assert.deepEqual(a.dice, [0.8, 0.78, 0.65, 0.5]);
    assert.deepEqual(a.lo, [0.7, 0.68, 0.55, 0.4]);
    assert.deepEqual(a.hi, [0.9, 0.88, 0.75, 0.6]);
    assert.equal(a.target, 0.8 - 0.1);
    // Interpolated between σ 0.5 (0.78) and σ 1 (0.65) for the target 0.7: 0.5 + 0.5 · 0.08 / 0.13.
    assert.ok(Math.abs(a.drop!.strength - (0.5 + (0.5 * 0.08) / 0.13)) < 1e-12);
    assert.deepEqual({ ...a.drop, strength: 0 }, { strength: 0, label: 'σ=1px', interpolated: true });
    assert.deepEqual(b.lo, [0.65, 0.64, 0.62, null]);
    assert.deepEqual(b.n, [12, 12, 12, 11]);
    assert.equal(b.drop, undefined);
    assert.deepEqual(union.dice, [0.82, 0.8, 0.7, null]);
    assert.deepEqual(union.drop, { strength: 0.9, label: 'σ=1px', interpolated: true });
  });

  test('blur: the ranking text names each level where a pair reverses', () => {
    assert.equal(blur.rankingChangesAt, 'σ=1px');
    assert.equal(
      blur.ranking,
      'changes: unperturbed fusion:union > a > b; at σ=1px: b > fusion:union > a (b now ahead of a; b now ahead of fusion:union); at σ=2px: b > a > fusion:union (b now ahead of a)',
    );
  });

  test('flip: ungraded, the drop is the breaking variant', () => {
    assert.equal(flip.graded, false);
    assert.deepEqual(flip.levels.map((l) => l.label), ['none', 'horizontal', 'vertical', 'both']);
    assert.deepEqual(flip.curves[0].drop, { strength: 2, label: 'vertical', interpolated: false });
    assert.equal(flip.rankingChangesAt, 'vertical');
    assert.equal(flip.ranking, 'changes: unperturbed fusion:union > a > b; at vertical: fusion:union > b > a (b now ahead of a); at both: fusion:union > b > a (b now ahead of a)');
  });

  test('a perturbation whose ranking holds says so', () => {
    const holding: StressReport = {
      ...report,
      perturbations: { ...report.perturbations!, kinds: [{ ...report.perturbations!.kinds[1], rankings: [['a', 'b'], ['a', 'b']], swaps: [[], []] }] },
    };
    const p = stressReportSection(holding).perturbations[0];
    assert.equal(p.ranking, 'unchanged at every strength: a > b');
    assert.equal(p.rankingChangesAt, undefined);
  });
});

describe('stressReportSection: a stress.json of another run', () => {
  test('another split or other methods than the report shows: a note that says which and the fix', () => {
    const notes = stressReportSection(report, { split: 'val', methods: ['a', 'b', 'c', 'fusion:union', 'fusion:best'] }).notes.slice(1);
    assert.deepEqual(notes, [
      'stress.json (2026-11-27T10:00:00.000Z) was run on the test split; this report evaluates the val split.',
      'stress.json (2026-11-27T10:00:00.000Z) was run on other methods than this evaluation (it lacks c): run `medseg stress` again.',
    ]);
    assert.deepEqual(stressReportSection(report, { split: 'test', methods: ['b', 'a', 'fusion:union', 'fusion:best'] }).notes.length, 1);
  });
});

describe('reading stress.json from a results folder', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'medseg-stress-read-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('none there: undefined for the report, an error with the fix for readStressReport', async () => {
    assert.equal(await readStressReportIfPresent(dir), undefined);
    assert.equal(await reportStressSection(dir, { experiment: 'x', split: 'test', methods: [] }), undefined);
    await assert.rejects(readStressReport(dir), /stress\.json does not exist: run `medseg stress` on the config first/);
  });

  test('a broken stress.json: the section says what is wrong with which file, and the fix', async () => {
    writeFileSync(join(dir, 'stress.json'), '{"methods": [');
    const section = await reportStressSection(dir, { experiment: 'x', split: 'test', methods: [] });
    assert.match(section!.problem!, new RegExp(`${join(dir, 'stress.json').replace(/[.\\/]/g, '\\$&')} is not valid JSON .*run \`medseg stress\` again`));
    assert.deepEqual([section!.labelMixes, section!.perturbations], [[], []]);
    writeFileSync(join(dir, 'stress.json'), '{"experiment": "x"}');
    await assert.rejects(readStressReportIfPresent(dir), /is not a stress\.json written by `medseg stress`/);
  });

  test('the fixture reads back as written', async () => {
    writeFileSync(join(dir, 'stress.json'), readFileSync(FIXTURE));
    const section = await reportStressSection(dir, { experiment: 'fixture', split: 'test', methods: report.methods });
    assert.deepEqual(section, stressReportSection(report, { split: 'test', methods: report.methods }));
  });
});
