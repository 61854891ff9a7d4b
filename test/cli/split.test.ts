import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { runSplit } from '../../server/src/cli/commands/split';
import type { CommandContext } from '../../server/src/cli/context';
import { validateExperiment } from '../../server/src/core/validate';
import { createRandom } from '../../server/src/core/util/random';
import { runMedseg } from './runCli';

let dir: string;

const medseg = (...args: string[]) => runMedseg(dir, ...args);

/** `medseg split` in this process (spawning costs seconds): what it printed and its exit status. */
async function splitInProcess(args: string[], flags: CommandContext['flags']): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const code = await runSplit({
      positionals: args,
      flags,
      signal: new AbortController().signal,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      progress: () => {},
      usage: (help) => {
        err.push(help);
        return 2;
      },
    });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

const SIZE = 32;

/** A grey picture with one dark ellipse (the lesion) somewhere; its mask. */
async function writeCase(id: string, seed: number): Promise<void> {
  const r = createRandom(seed);
  const grey = Buffer.alloc(SIZE * SIZE);
  const mask = Buffer.alloc(SIZE * SIZE);
  const [cx, cy, rx, ry] = [6 + r.next() * 20, 6 + r.next() * 20, 3 + r.next() * 6, 3 + r.next() * 6];
  const [base, gx, gy] = [100 + r.int(80), r.next() * 4 - 2, r.next() * 4 - 2];
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
      mask[y * SIZE + x] = inside ? 255 : 0;
      grey[y * SIZE + x] = Math.max(0, Math.min(255, Math.round(base + gx * (x - 16) + gy * (y - 16) - (inside ? 60 : 0) + r.normal() * 4)));
    }
  const raw = { raw: { width: SIZE, height: SIZE, channels: 1 as const } };
  await sharp(grey, raw).toColourspace('b-w').png().toFile(join(dir, 'images', `${id}.png`));
  await sharp(mask, raw).toColourspace('b-w').png().toFile(join(dir, 'masks', `${id}_mask.png`));
}

const CONFIG = `dataset:
  images: images/*.png
  masks: masks/{stem}_mask.png
  labels: clinical.csv
  group_column: patient_id
  label_columns: [diagnosis, site]
splits:
  file: splits.csv
  target_ci_halfwidth: 0.5
models:
  - name: ref-copy
    predictions: masks/{stem}_mask.png
`;

const LEAK_CODES = ['split/patient-leak', 'split/duplicate-image', 'split/near-duplicate'];
const DRIFT_CODES = ['split/label-drift', 'split/label-missing-in-train', 'split/property-drift'];

describe('medseg split', () => {
  const ids = Array.from({ length: 72 }, (_, i) => `img${String(i).padStart(2, '0')}`);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-split-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (let i = 0; i < ids.length - 1; i++) await writeCase(ids[i], 1000 + i);
    // The last image is an exact copy of img03, filed under another patient.
    copyFileSync(join(dir, 'images', 'img03.png'), join(dir, 'images', 'img71.png'));
    copyFileSync(join(dir, 'masks', 'img03_mask.png'), join(dir, 'masks', 'img71_mask.png'));
    const rows = ids.map((id, i) => `${id},P${Math.floor(i / 3)},${i % 3 === 0 ? 'melanoma' : 'nevus'},${['head', 'trunk'][Math.floor(i / 3) % 2]}`);
    writeFileSync(join(dir, 'clinical.csv'), `image_id,patient_id,diagnosis,site\n${rows.join('\n')}\n`);
    // A hand-made split that leaks: patient P0 in train and test, and the copy of img03 in test.
    writeFileSync(join(dir, 'splits.csv'), `image_id,split\n${ids.map((id, i) => `${id},${i === 2 || i === 71 ? 'test' : i % 5 === 0 ? 'test' : 'train'}`).join('\n')}\n`);
    writeFileSync(join(dir, 'exp.medseg.yaml'), CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('validate finds the planted leak; split writes a split that validate then finds clean; the same seed gives the same file', async () => {
    const planted = (await validateExperiment(join(dir, 'exp.medseg.yaml'))).findings;
    assert.ok(planted.some((f) => f.code === 'split/patient-leak' && f.message.includes('`P0`')));
    assert.ok(planted.some((f) => f.code === 'split/duplicate-image' && f.message.includes('img71')));

    const split = medseg('split', 'exp.medseg.yaml', '--seed', '3', '--tries', '8');
    assert.equal(split.code, 0, split.stderr);
    assert.match(split.stdout, /^Wrote splits\.csv: \d+ train \/ \d+ val \/ \d+ test \(72 images, 72 rows\)\./);
    assert.match(split.stdout, /Seed \d+ \(try \d of 8\): label quality [\d.]+, property imbalance [\d.]+ .*; 0 drift findings at alpha 0\.05\./);
    assert.match(split.stdout, /1 set of identical or near-duplicate images kept in one split/);
    const written = readFileSync(join(dir, 'splits.csv'), 'utf8');
    const assignment = new Map(written.trim().split('\n').slice(1).map((l) => l.split(',') as [string, string]));
    assert.equal(assignment.size, 72);
    assert.equal(assignment.get('img03'), assignment.get('img71'));
    for (let p = 0; p < 24; p++) assert.equal(new Set([0, 1, 2].map((k) => assignment.get(ids[3 * p + k]))).size, 1, `patient P${p}`);

    const after = medseg('validate', 'exp.medseg.yaml', '--json');
    const findings = (JSON.parse(after.stdout) as { findings: { code: string }[] }).findings;
    const bad = findings.filter((f) => LEAK_CODES.includes(f.code) || DRIFT_CODES.includes(f.code));
    assert.deepEqual(bad, [], after.stdout);
    assert.equal(after.code, 0, after.stdout);

    const again = await splitInProcess(['exp.medseg.yaml'], { seed: '3', tries: '8', out: 'again.csv' });
    assert.equal(again.code, 0, again.err.join('\n'));
    assert.equal(readFileSync(join(dir, 'again.csv'), 'utf8'), written);
    assert.ok(again.out.includes('To use it, set in the config:  splits: { file: again.csv }'), again.out.join('\n'));
  });

  test('usage problems exit 2', async () => {
    for (const flags of [{ tries: '0' }, { seed: 'x' }]) {
      const r = await splitInProcess(['exp.medseg.yaml'], flags);
      assert.equal(r.code, 2);
      assert.match(r.err[0], /^--(tries|seed) must be an integer/);
    }
    assert.equal((await splitInProcess([], {})).code, 2);
  });
});
