import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { evaluateExperiment } from '../../../server/src/core/evaluate';
import { readImage } from '../../../server/src/core/io';
import { buildDemoModel } from '../../../server/src/demo/models';
import { cliEntry, tsxLoader } from '../../cli/runCli';

let dir: string;
const N = 24;

/** Dark blobs on skin-coloured background: what the demo dermoscopy models segment. */
async function writeCase(i: number): Promise<void> {
  const w = 96, h = 80;
  const rgb = Buffer.alloc(w * h * 3);
  const mask = Buffer.alloc(w * h);
  const cx = 30 + ((i * 7) % 40), cy = 25 + ((i * 5) % 30), r = 8 + (i % 12);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
      const p = y * w + x;
      rgb.set(inside ? [110, 70, 50] : [200, 160, 140], 3 * p);
      mask[p] = inside ? 255 : 0;
    }
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'images', `case_${String(i).padStart(3, '0')}.png`));
  await sharp(mask, { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'masks', `case_${String(i).padStart(3, '0')}.png`));
}

function config(cache: string, extra = ''): string {
  return `dataset:
  images: images/*.png
  masks: masks/{stem}.png
models:
  - name: sharp
    path: sharp.onnx
    input: { size: [128, 128] }
  - name: over
    path: over.onnx
    input: { size: [128, 128] }
${extra}evaluation: { bootstrap: 50, fusion: [union, majority] }
runtime: { cache: ${cache}, threads: 1 }
`;
}

async function evaluate(file: string, out: string) {
  const parsed = await loadConfig(join(dir, file));
  assert.ok(parsed.config, JSON.stringify(parsed.findings));
  return evaluateExperiment(parsed.config, await resolveDataset(parsed.config), { outputDir: join(dir, out), report: false });
}

describe('evaluate with ONNX models: cache and resume', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-onnx-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (let i = 0; i < N; i++) await writeCase(i);
    writeFileSync(join(dir, 'sharp.onnx'), buildDemoModel('dermoscopy', 'tii-sharp'));
    writeFileSync(join(dir, 'over.onnx'), buildDemoModel('dermoscopy', 'tii-over'));
    writeFileSync(join(dir, 'a.medseg.yaml'), config('cache-a'));
    writeFileSync(join(dir, 'b.medseg.yaml'), config('cache-b'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a repeated run does no inference and writes the same per_image.csv', async () => {
    const first = await evaluate('a.medseg.yaml', 'out-a1');
    assert.deepEqual(first.findings, []);
    assert.equal(first.summary.models.sharp.inferences, N);
    assert.equal(first.summary.provider?.used, 'cpu');
    const second = await evaluate('a.medseg.yaml', 'out-a2');
    assert.equal(second.summary.models.sharp.inferences, 0);
    assert.equal(second.summary.models.over.inferences, 0);
    assert.ok(readFileSync(join(dir, 'out-a1', 'per_image.csv')).equals(readFileSync(join(dir, 'out-a2', 'per_image.csv'))));
    // The over-segmenting model predicts more foreground than the sharp one on every image.
    const pred = (m: string) => first.table.toRows().filter((r) => r.method === m).reduce((a, r) => a + r.predPixels, 0);
    assert.ok(pred('over') > pred('sharp'));
  });

  test('prob/ files are hard links to the cache entries; errors/ are 2-bit palette PNGs whose indices are the TP/FP/FN labels', async () => {
    const out = join(dir, 'out-a1');
    const cacheEntries = readdirSync(join(dir, 'cache-a', 'predictions')).flatMap((d) => readdirSync(join(dir, 'cache-a', 'predictions', d)).map((f) => join(dir, 'cache-a', 'predictions', d, f)));
    const inodes = new Set(cacheEntries.map((f) => statSync(f).ino));
    const prob = join(out, 'prob', 'over', 'case_003.png');
    assert.ok(inodes.has(statSync(prob).ino), 'prob/ shares its inode with a cache entry');
    assert.equal(statSync(prob).nlink >= 2, true);
    // The error map's indices, read as a label map, against labels derived here from the written mask and the reference.
    const labels = await readImage(join(out, 'errors', 'over', 'case_003.png'), { paletteIndices: true });
    const mask = await readImage(join(out, 'masks', 'over', 'case_003.png'));
    const ref = await readImage(join(dir, 'masks', 'case_003.png'));
    const expected = Array.from(ref.data, (r, i) => (r ? (mask.data[i] ? 1 : 3) : mask.data[i] ? 2 : 0)); // TP 1, FN 3, FP 2, TN 0
    assert.deepEqual(Array.from(labels.data), expected);
    assert.ok(expected.includes(1) && expected.includes(2), 'the case has both TP and FP pixels');
    const png = readFileSync(join(out, 'errors', 'over', 'case_003.png'));
    assert.equal(png[24], 2, '2 bits per pixel');
    assert.equal(png[25], 3, 'indexed colour');
  });

  test('a run killed with SIGKILL resumes from its cache and ends byte-identical', async () => {
    const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, 'evaluate', 'b.medseg.yaml', '--output', 'out-b-killed'], { cwd: dir, stdio: 'ignore' });
    const cacheDir = join(dir, 'cache-b', 'predictions');
    const entries = () => (existsSync(cacheDir) ? readdirSync(cacheDir).flatMap((d) => readdirSync(join(cacheDir, d))).filter((f) => f.endsWith('.png')).length : 0);
    const deadline = Date.now() + 60_000;
    while (entries() < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const cachedBefore = entries();
    assert.ok(cachedBefore >= 6 && cachedBefore < 2 * N, `killed part-way (${cachedBefore} of ${2 * N} predictions cached)`);
    const resumed = await evaluate('b.medseg.yaml', 'out-b');
    const inferences = resumed.summary.models.sharp.inferences + resumed.summary.models.over.inferences;
    assert.equal(inferences, 2 * N - cachedBefore, 'only what was not cached is inferred again');
    assert.ok(readFileSync(join(dir, 'out-a1', 'per_image.csv')).equals(readFileSync(join(dir, 'out-b', 'per_image.csv'))), 'same bytes as an uninterrupted run');
  });

  test('a truncated model and a model with the wrong input are reported; the others still run', async () => {
    writeFileSync(join(dir, 'broken.onnx'), readFileSync(join(dir, 'sharp.onnx')).subarray(0, 300));
    writeFileSync(
      join(dir, 'c.medseg.yaml'),
      config('cache-a', '  - name: broken\n    path: broken.onnx\n    input: { size: [128, 128] }\n  - name: gray\n    path: sharp.onnx\n    input: { size: [128, 128], channels: 1 }\n'),
    );
    const r = await evaluate('c.medseg.yaml', 'out-c');
    const byModel = (name: string) => r.findings.filter((f) => f.message.startsWith(`Model \`${name}\``));
    assert.equal(byModel('broken').length, 1);
    assert.match(byModel('broken')[0].message, /broken\.onnx/);
    assert.equal(byModel('gray').length, 1);
    assert.match(byModel('gray')[0].message, /channel/);
    assert.deepEqual(Object.keys(r.summary.models), ['sharp', 'over']);
    assert.equal(r.table.toRows().filter((x) => x.method === 'sharp').length, N);
  });
});
