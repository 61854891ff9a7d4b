import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { runMedseg } from './runCli';

let dir: string;

/** A 16 × 16 mask with a 6 × 6 square at (4, 4). */
async function square(path: string): Promise<void> {
  const data = Buffer.alloc(16 * 16);
  for (let y = 4; y < 10; y++) for (let x = 4; x < 10; x++) data[y * 16 + x] = 255;
  await sharp(data, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').png().toFile(path);
}

const CONFIG = `name: tiny
dataset:
  images: images/*.png
  masks: masks/{stem}.png
models:
  - name: A
    predictions: masks/{stem}.png
evaluation: { split: all, bootstrap: 10, fusion: [] }
output: runs
`;

describe('--output DIR against the config\'s output: (issue 17, item 9)', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-'));
    for (const d of ['images', 'masks']) mkdirSync(join(dir, d), { recursive: true });
    for (let i = 0; i < 3; i++) {
      await square(join(dir, 'images', `img${i}.png`));
      await square(join(dir, 'masks', `img${i}.png`));
    }
    writeFileSync(join(dir, 'tiny.medseg.yaml'), CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every command says the same: --output DIR is the folder itself, output: holds <name>/', () => {
    for (const command of ['evaluate', 'stress', 'explain', 'umap', 'slurm', 'k8s']) {
      const help = runMedseg(dir, command, '--help').stdout;
      assert.match(help, /--output DIR +write the (merged )?results into DIR itself, not into DIR\/<name>\/\n +\(default: <output>\/<name>\/, from the config's output: and name:\)/, `${command} --help`);
    }
    assert.match(runMedseg(dir, 'merge', '--help').stdout, /--output DIR is the results folder itself: the files go straight into DIR/);
  });

  test('the config\'s output: gets <name>/ below it; --output DIR gets the files itself', () => {
    const byConfig = runMedseg(dir, 'evaluate', 'tiny.medseg.yaml');
    assert.equal(byConfig.code, 0, byConfig.stderr);
    assert.ok(existsSync(join(dir, 'runs', 'tiny', 'summary.json')), 'runs/tiny/summary.json');
    const byFlag = runMedseg(dir, 'evaluate', 'tiny.medseg.yaml', '--output', 'mine');
    assert.equal(byFlag.code, 0, byFlag.stderr);
    assert.ok(existsSync(join(dir, 'mine', 'summary.json')), 'mine/summary.json');
    assert.ok(!existsSync(join(dir, 'mine', 'tiny')), 'no mine/tiny/');
    assert.deepEqual(readdirSync(join(dir, 'runs')), ['tiny']);
  });
});
