import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { extractReportData } from '../../client/src/dashboard/reportSources';
import { runMedseg } from './runCli';

let dir: string;

const medseg = (...args: string[]) => runMedseg(dir, ...args);

/** A 16 × 16 mask with a 6 × 6 square whose left edge is at `x0` (or nothing). */
async function square(path: string, x0: number | undefined): Promise<void> {
  const data = Buffer.alloc(16 * 16);
  if (x0 !== undefined) for (let y = 4; y < 10; y++) for (let x = x0; x < x0 + 6; x++) data[y * 16 + x] = 255;
  await sharp(data, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').png().toFile(path);
}

// Planted: A is exact on the 9 common images and empty on the rare one (Dice 1 / 0); B is one
// pixel off everywhere (Dice 2·30/72). Split: A 0.9 > B 0.833; rare oversampled to 5 + 5: A 0.5 < B.
const CONFIG = `name: tiny
dataset:
  images: images/*.png
  masks: masks/{stem}.png
  labels: clinical.csv
  label_columns: [grade]
models:
  - name: A
    predictions: preds/A/{stem}.png
  - name: B
    predictions: preds/B/{stem}.png
evaluation: { split: all, bootstrap: 20, fusion: [] }
output: out
`;

describe('medseg stress', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-'));
    for (const d of ['images', 'masks', 'preds/A', 'preds/B']) mkdirSync(join(dir, d), { recursive: true });
    const csv = ['image_id,grade'];
    for (let i = 0; i < 10; i++) {
      const id = `img${i}`;
      const rare = i === 9;
      await square(join(dir, 'images', `${id}.png`), 4);
      await square(join(dir, 'masks', `${id}.png`), 4);
      await square(join(dir, 'preds/A', `${id}.png`), rare ? undefined : 4);
      await square(join(dir, 'preds/B', `${id}.png`), 5);
      csv.push(`${id},${rare ? 'rare' : 'common'}`);
    }
    writeFileSync(join(dir, 'clinical.csv'), csv.join('\n') + '\n');
    writeFileSync(join(dir, 'tiny.medseg.yaml'), CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('prints a table per scenario and marks where the ranking changes', () => {
    const r = medseg('stress', 'tiny.medseg.yaml', '--label', 'grade', '--repeats', '5', '--perturbations', 'none');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'out', 'tiny', 'stress.json')));
    assert.match(r.stdout, /Results: out\/tiny\/stress\.json, with its section in report\.html/);
    const sections = r.stdout.split('\n\n');
    const base = sections.find((s) => s.startsWith('test split as it is'))!;
    assert.match(base, /ranking A > B/);
    assert.match(base, /\nA\s+0\.900 \[/);
    assert.match(base, /\nB\s+0\.833 \[0\.833, 0\.833\]/);
    const rare = sections.find((s) => s.startsWith('grade rare_oversampled'))!;
    assert.match(rare, /common 50%, rare 50% · 10 images × 5 repeats/);
    assert.match(rare, /\*\* RANKING CHANGED \*\* B now ahead of A \(in 100% of the repeats\)/);
    // Type II: A misses every lesion pixel of the rare half (FN px 50 %, missed 50 %); B is off by 6 of 36 pixels.
    assert.match(rare, /\nA\s+0\.500 \[0\.500, 0\.500\]\s+0\.0%\s+–\s+50\.0%\s+50\.0%\s+2 \(was 1\)\n/);
    assert.match(rare, /\nB\s+0\.833 \[0\.833, 0\.833\]\s+2\.7%\s+–\s+16\.7%\s+0\.0%\s+1 \(was 2\)\n/);
    const removed = sections.find((s) => s.startsWith('grade removed:rare'))!;
    assert.doesNotMatch(removed, /RANKING CHANGED/);
    // By hand: zipf 7 + 3 → A 0.7; dominant:common 8 + 2 → A 0.8; dominant:rare, rare oversampled and
    // removed:common all put A at or below 0.5: every mix but removed:rare (A 1.0) puts B ahead.
    assert.match(r.stdout, /Ranking changes under 5 of 6: grade zipf, grade dominant:common, grade dominant:rare, grade rare_oversampled, grade removed:common\./);
  });

  test('redraws report.html of the folder with the stress section; a later medseg evaluate keeps it', () => {
    const reportOf = () => extractReportData(readFileSync(join(dir, 'out', 'tiny', 'report.html'), 'utf8'))!;
    const stress = reportOf().stress!;
    assert.equal(stress.split, 'all');
    assert.deepEqual(stress.labelMixes.map((c) => c.column), ['grade']);
    const rare = stress.labelMixes[0].scenarios.find((s) => s.name === 'rare_oversampled')!;
    // As planted: A 1.0 × 5 + 0 × 5 → 0.5 and B 2·30/72 everywhere; B is first, A second, ranked the other way on the split.
    assert.deepEqual(
      rare.methods.map((m) => [m.method, m.dice, m.rank, m.splitRank, m.rankChanged]),
      [
        ['A', 0.5, 2, 1, true],
        ['B', 60 / 72, 1, 2, true],
      ],
    );
    assert.match(reportOf().provenance[0].value, /^medseg evaluate tiny\.medseg\.yaml && medseg stress tiny\.medseg\.yaml --label grade --repeats 5 --perturbations none$/);
    const r = medseg('evaluate', 'tiny.medseg.yaml');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(reportOf().stress, stress);
  });

  test('--json; models with stored predictions are skipped by perturbations, with a note', () => {
    const r = medseg('stress', 'tiny.medseg.yaml', '--repeats', '2', '--perturbations', 'flip', '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.rows_from, 'per_image.csv');
    assert.equal(report.perturbations, undefined);
    assert.ok(report.notes.some((n: string) => /Perturbations skip model A: its predictions exist only for the original images/.test(n)));
    assert.ok(report.notes.some((n: string) => /every mix of the first label column, grade/.test(n)));
  });

  test('usage errors exit 2; an unknown label column exits 1 with the columns there are', () => {
    assert.equal(medseg('stress', 'tiny.medseg.yaml', '--repeats', '0').code, 2);
    assert.equal(medseg('stress', 'tiny.medseg.yaml', '--perturbations', 'sepia').code, 2);
    const r = medseg('stress', 'tiny.medseg.yaml', '--label', 'site', '--perturbations', 'none');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--label site is not a label column of the dataset \(grade\)/);
  });
});
