import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { runStress, stressReportSection, type StressRun } from '../../../server/src/core/stress';
import { buildDemoModel } from '../../../server/src/demo/models';

/**
 * A tiny dermoscopy-like set (96 × 96, resized to the models' 128 × 128) with a ranking change
 * planted by construction: `lmi-smallmiss` deletes lesions narrower than its 11-pixel opening and
 * is otherwise close to the reference; `tii-over` pushes every border out by 3 pixels. Ten large
 * lesions (radius 9 px ≈ 12 model px) and two small ones (radius 3 px ≈ 4 model px): on the split
 * smallmiss leads; with the small lesions oversampled to half the sample, over leads.
 */
let dir: string;
const LARGE = 10, SMALL = 2;

async function writeCase(i: number, small: boolean): Promise<string> {
  const id = `case_${String(i).padStart(2, '0')}`;
  const w = 96, h = 96;
  const rgb = Buffer.alloc(w * h * 3);
  const mask = Buffer.alloc(w * h);
  const r = small ? 3 : 9;
  const cx = 30 + ((i * 13) % 36), cy = 28 + ((i * 7) % 40);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
      const p = y * w + x;
      rgb.set(inside ? [110, 70, 50] : [200, 160, 140], 3 * p);
      mask[p] = inside ? 255 : 0;
    }
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'images', `${id}.png`));
  await sharp(mask, { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'masks', `${id}.png`));
  return `${id},${small ? 'small' : 'large'}`;
}

const CONFIG = `name: tiny
dataset:
  images: images/*.png
  masks: masks/{stem}.png
  labels: clinical.csv
  label_columns: [size]
models:
  - name: over
    path: over.onnx
    input: { size: [128, 128] }
  - name: smallmiss
    path: smallmiss.onnx
    input: { size: [128, 128] }
evaluation: { split: all, bootstrap: 50, fusion: [union, best] }
stress: { label_mixes: [{ size: rare_oversampled }, { size: removed }], repeats: 5, seed: 11 }
runtime: { cache: cache, threads: 1 }
output: out
`;

async function stress(perturbations: string[]): Promise<StressRun> {
  const parsed = await loadConfig(join(dir, 'tiny.medseg.yaml'));
  assert.ok(parsed.config, JSON.stringify(parsed.findings));
  return runStress(parsed.config, await resolveDataset(parsed.config), { perturbations });
}

describe('medseg stress end to end with ONNX demo models', () => {
  let first: StressRun;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    const lines = ['image_id,size'];
    for (let i = 0; i < LARGE + SMALL; i++) lines.push(await writeCase(i, i >= LARGE));
    writeFileSync(join(dir, 'clinical.csv'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'over.onnx'), buildDemoModel('dermoscopy', 'tii-over'));
    writeFileSync(join(dir, 'smallmiss.onnx'), buildDemoModel('dermoscopy', 'lmi-smallmiss'));
    writeFileSync(join(dir, 'tiny.medseg.yaml'), CONFIG);
    first = await stress(['flip', 'gaussian_noise']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('label mixes: smallmiss leads on the split, over leads when small lesions are oversampled', () => {
    const r = first.report;
    assert.deepEqual(first.findings, []);
    assert.equal(r.rows_from, 'evaluation');
    assert.deepEqual(r.methods, ['over', 'smallmiss', 'fusion:union', 'fusion:best']);
    const mixes = r.label_mixes!;
    assert.equal(mixes.baseline.images, LARGE + SMALL);
    assert.equal(mixes.baseline.ranking[0], 'smallmiss');
    assert.ok(!mixes.baseline.ranking.includes('fusion:best'));
    const rare = mixes.scenarios.find((s) => s.name === 'rare_oversampled')!;
    assert.deepEqual(rare.counts, { large: 6, small: 6 });
    assert.equal(rare.ranking_changed, true);
    assert.ok(rare.swaps.some(([a, b]) => a === 'smallmiss' && b === 'over'));
    assert.ok(rare.ranking.indexOf('over') < rare.ranking.indexOf('smallmiss'));
    // smallmiss misses the small lesions entirely (type II), over never does.
    assert.ok(rare.methods.smallmiss.missed_rate.mean! > 0.3);
    assert.equal(rare.methods.over.missed_rate.mean, 0);
    const noSmall = mixes.scenarios.find((s) => s.name === 'removed:small')!;
    assert.equal(noSmall.ranking_changed, false);
    assert.equal(noSmall.methods.smallmiss.missed_rate.mean, 0);
  });

  test('perturbations: level 0 is the evaluation; a flip moves the reference with the image', () => {
    const p = first.report.perturbations!;
    assert.equal(p.images, LARGE + SMALL);
    assert.deepEqual(p.methods, ['over', 'smallmiss', 'fusion:union', 'fusion:best']);
    const flip = p.kinds.find((k) => k.kind === 'flip')!;
    assert.deepEqual(flip.levels.map((l) => l.label), ['none', 'horizontal', 'vertical', 'both']);
    for (const m of ['over', 'smallmiss']) {
      const base = first.report.label_mixes!.baseline.methods[m].dice.mean!;
      assert.ok(Math.abs(flip.methods[m].mean_dice[0]! - base) < 1e-12, `${m}: level 0 equals the evaluation`);
      // The models are nearly flip-invariant: had the reference stayed put, Dice would collapse.
      for (let l = 1; l <= 3; l++) assert.ok(Math.abs(flip.methods[m].mean_dice[l]! - base) < 0.03, `${m} ${flip.levels[l].label}: ${flip.methods[m].mean_dice[l]} vs ${base}`);
    }
    const noise = p.kinds.find((k) => k.kind === 'gaussian_noise')!;
    assert.equal(noise.levels.length, 5);
    assert.equal(noise.methods.over.n.every((n) => n === LARGE + SMALL), true);
    // 12 images × 2 models × (1 unperturbed + 3 flips + 4 noise levels); level 0 came from the evaluation's cache.
    assert.equal(p.inferences, (LARGE + SMALL) * 2 * 7);
  });

  test('stress.json is written; a second run infers nothing, reads per_image.csv and gives the same numbers', async () => {
    const file = join(first.outputDir, 'stress.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(stored.experiment, 'tiny');
    assert.equal(stored.label_mixes.scenarios.length, 3);
    const second = await stress(['flip', 'gaussian_noise']);
    assert.equal(second.report.rows_from, 'per_image.csv');
    assert.equal(second.report.perturbations!.inferences, 0);
    assert.deepEqual(second.report.label_mixes, first.report.label_mixes);
    assert.deepEqual(second.report.perturbations!.kinds, first.report.perturbations!.kinds);
  });

  test('report section: one degradation curve per perturbation and method, one mix table per label column', () => {
    const section = stressReportSection(first.report);
    const flip = section.perturbations.find((p) => p.kind === 'flip')!;
    assert.deepEqual(flip.curves.map((c) => c.method), ['over', 'smallmiss', 'fusion:union', 'fusion:best']);
    const over = flip.curves.find((c) => c.method === 'over')!;
    assert.equal(over.dice[0], first.report.perturbations!.kinds[0].methods.over.mean_dice[0]);
    assert.equal(over.target, over.dice[0]! - 0.05);
    assert.equal(flip.curves.find((c) => c.method === 'fusion:best')!.upperBound, true);
    assert.deepEqual(section.labelMixes.map((c) => c.column), ['size']);
    const scenarios = section.labelMixes[0].scenarios;
    assert.equal(scenarios.length, 1 + 3);
    const rare = scenarios.find((s) => s.name === 'rare_oversampled')!;
    assert.equal(rare.rankingChanged, true);
    assert.ok(rare.swaps.includes('over now ahead of smallmiss'));
    assert.equal(rare.methods.find((m) => m.method === 'smallmiss')!.rankChanged, true);
  });
});
