// The case pool (issue 15): every file of a results folder is byte-identical whatever the number of
// case workers (the evaluation's own thread, 1, 2 or 3 threads), with ONNX models and a prediction
// folder, every fusion (STAPLE included), a validation pass, a 3D NIfTI volume among 2D images, and
// inference batched across cases (windows of 3) as a GPU run batches it. The reference is the
// one-worker run: the pool must not change a bit of it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../server/src/core/config';
import type { MedsegConfig } from '../../../server/src/core/config/types';
import { resolveDataset } from '../../../server/src/core/dataset';
import type { ResolvedDataset } from '../../../server/src/core/dataset/types';
import { evaluateExperiment, type EvaluationResult } from '../../../server/src/core/evaluate';
import { encodeNifti, encodeQuantisedProbabilityPng } from '../../../server/src/core/io';
import { methodFolder } from '../../../server/src/core/results/fileNames';
import { buildDemoModel } from '../../../server/src/demo/models';

let dir: string;
const N = 11;
const W = 96;
const H = 80;

/** Dark blobs on skin-coloured background (what the demo dermoscopy models segment), a mask, and a probability map of another tool. */
async function writeCase(i: number): Promise<void> {
  const id = `case_${String(i).padStart(3, '0')}`;
  const rgb = Buffer.alloc(W * H * 3);
  const mask = Buffer.alloc(W * H);
  const prob = new Uint16Array(W * H);
  const cx = 30 + ((i * 7) % 40), cy = 25 + ((i * 5) % 30), r = 8 + (i % 12);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const d2 = (x - cx) ** 2 + (y - cy) ** 2;
      const p = y * W + x;
      rgb.set(d2 <= r * r ? [110, 70 + (x % 7), 50] : [200, 160, 140 + (y % 5)], 3 * p);
      mask[p] = d2 <= r * r ? 255 : 0;
      // A smooth map a bit off the reference: the other tool is neither perfect nor binary.
      prob[p] = Math.round(65535 / (1 + Math.exp((Math.sqrt(d2) - r - 2 + (i % 3)) / 2)));
    }
  await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, 'images', `${id}.png`));
  await sharp(mask, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'masks', `${id}.png`));
  writeFileSync(join(dir, 'preds', `${id}.png`), await encodeQuantisedProbabilityPng(prob, W, H));
}

/** A small CT-like volume (int16), its mask and the other tool's float probabilities. */
function writeVolume(): void {
  const [w, h, d] = [40, 36, 6];
  const image = new Int16Array(w * h * d);
  const mask = new Uint8Array(w * h * d);
  const prob = new Float32Array(w * h * d);
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const p = (z * h + y) * w + x;
        const d2 = (x - 20) ** 2 + (y - 18) ** 2 + ((z - 3) * 3) ** 2;
        image[p] = d2 < 100 ? -100 : 300 + ((x * 7 + y * 3 + z) % 50);
        mask[p] = d2 < 100 ? 1 : 0;
        prob[p] = d2 < 90 ? 0.9 : d2 < 130 ? 0.4 : 0.05;
      }
  const spacing: [number, number, number] = [0.8, 0.8, 2.5];
  writeFileSync(join(dir, 'images', 'vol_000.nii.gz'), encodeNifti({ width: w, height: h, depth: d, data: image, spacing }, { gzip: true }));
  writeFileSync(join(dir, 'masks', 'vol_000.nii.gz'), encodeNifti({ width: w, height: h, depth: d, data: mask, spacing }, { gzip: true }));
  writeFileSync(join(dir, 'preds', 'vol_000.nii.gz'), encodeNifti({ width: w, height: h, depth: d, data: prob, spacing }, { gzip: true }));
}

function configText(images: string, splits: string): string {
  return `dataset:
  images: ${images}
  masks: masks/{name}
splits:
  file: ${splits}
models:
  - name: sharp
    path: sharp.onnx
    input: { size: [128, 128] }
  - name: over
    path: over.onnx
    input: { size: [128, 128] }
  - name: tool
    predictions: preds/{name}
evaluation: { bootstrap: 50, fusion: [union, intersection, majority, staple, best] }
runtime: { threads: 1, batch: 4 }
`;
}

interface Setup {
  config: MedsegConfig;
  dataset: ResolvedDataset;
}

async function setup(file: string): Promise<Setup> {
  const parsed = await loadConfig(join(dir, file));
  assert.ok(parsed.config, JSON.stringify(parsed.findings));
  const dataset = await resolveDataset(parsed.config);
  assert.deepEqual(dataset.findings, []);
  return { config: parsed.config, dataset };
}

/** A cold run (a cache of its own) into `out`. */
function evaluate(s: Setup, out: string, workers: number | 'main', caseBatch: number | 'auto'): Promise<EvaluationResult> {
  const config = { ...s.config, runtime: { ...s.config.runtime, cache: join(dir, `cache-${out}`), caseBatch } };
  return evaluateExperiment(config, s.dataset, { outputDir: join(dir, out), workers, command: 'medseg evaluate (test)' });
}

/** Every file under `root`, relative path → bytes; summary.json without the run's clock time. */
function filesOf(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  const summary = JSON.parse(files.get('summary.json')!.toString('utf8')) as { time: string };
  summary.time = '(time)';
  files.set('summary.json', Buffer.from(JSON.stringify(summary)));
  return files;
}

function assertSameFiles(reference: string, other: string): void {
  const a = filesOf(join(dir, reference));
  const b = filesOf(join(dir, other));
  assert.deepEqual([...b.keys()], [...a.keys()], `${other} has other files than ${reference}`);
  for (const [path, bytes] of a) {
    if (path === 'report.html') continue; // checked below without its time stamp
    assert.ok(bytes.equals(b.get(path)!), `${other}/${path} differs from ${reference}/${path}`);
  }
  const stamp = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g;
  assert.equal(b.get('report.html')!.toString('utf8').replace(stamp, '(time)'), a.get('report.html')!.toString('utf8').replace(stamp, '(time)'), `${other}/report.html differs`);
}

describe('evaluate: results do not depend on the number of case workers', () => {
  let mixed: Setup;
  let images2d: Setup;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-workers-'));
    for (const d of ['images', 'masks', 'preds']) mkdirSync(join(dir, d));
    for (let i = 0; i < N; i++) await writeCase(i);
    writeVolume();
    writeFileSync(join(dir, 'sharp.onnx'), buildDemoModel('dermoscopy', 'tii-sharp'));
    writeFileSync(join(dir, 'over.onnx'), buildDemoModel('dermoscopy', 'tii-over'));
    const split = (i: number) => (i < 3 ? 'val' : 'test');
    const rows = `image_id,split\n${Array.from({ length: N }, (_, i) => `case_${String(i).padStart(3, '0')},${split(i)}`).join('\n')}\n`;
    writeFileSync(join(dir, 'splits.csv'), `${rows}vol_000,test\n`);
    writeFileSync(join(dir, 'splits-flat.csv'), rows);
    writeFileSync(join(dir, 'mixed.medseg.yaml'), configText('images/*', 'splits.csv'));
    writeFileSync(join(dir, 'flat.medseg.yaml'), configText('images/*.png', 'splits-flat.csv'));
    mixed = await setup('mixed.medseg.yaml');
    images2d = await setup('flat.medseg.yaml');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('one worker: every model, fusion and the volume scored, every inference run', async () => {
    const r = await evaluate(mixed, 'w1', 1, 'auto');
    assert.deepEqual(r.findings, []);
    assert.equal(r.summary.images, N - 3 + 1);
    assert.deepEqual(Object.keys(r.summary.methods), ['sharp', 'over', 'tool', 'fusion:union', 'fusion:intersection', 'fusion:majority', 'fusion:staple', 'fusion:best']);
    // Every test case plus the validation pass's 3 cases went through both ONNX models once.
    assert.equal(r.summary.models.sharp.inferences, N - 3 + 1 + 3);
    assert.equal(r.summary.models.over.inferences, N - 3 + 1 + 3);
    const vol = r.table.toRows().filter((row) => row.imageId === 'vol_000');
    assert.equal(vol.length, 8);
    assert.ok(vol.every((row) => row.refPixels > 0 && row.tp + row.fp + row.fn + row.tn === 40 * 36 * 6));
    const fusion = r.summary.fusion as { staple?: { sensitivity: Record<string, number> } } | undefined;
    assert.deepEqual(Object.keys(fusion?.staple?.sensitivity ?? {}), ['sharp', 'over', 'tool'], 'STAPLE estimates are summarised for every member');
    assert.ok(readdirSync(join(dir, 'w1', 'masks', methodFolder('fusion:staple'))).includes('vol_000.nii.gz'));
  });

  test('with the models on CPU the case workers run below the intra-op threads (nice 10), the rest of the process at 0', { skip: process.platform !== 'linux' && 'per-thread priorities are Linux-only' }, () => {
    // The run above left its worker idle (threads outlive a run); /proc lists every thread's nice value.
    const nice = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    assert.ok(nice.includes(10), `thread nice values: ${nice.join(' ')}`);
    assert.equal(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ')[16], '0');
  });

  for (const workers of ['main', 2, 3] as const) {
    test(`${workers === 'main' ? "the evaluation's own thread" : `${workers} workers`}: byte-identical to one worker`, async () => {
      const r = await evaluate(mixed, `w${workers}`, workers, 'auto');
      assert.deepEqual(r.findings, []);
      assertSameFiles('w1', `w${workers}`);
    });
  }

  test('inference batched across cases in windows of 3 (the GPU path, on CPU): identical across worker counts and to case-by-case inference', async () => {
    await evaluate(images2d, 'flat-auto', 1, 'auto');
    for (const workers of [1, 2, 3]) {
      const r = await evaluate(images2d, `flat-b3-w${workers}`, workers, 3);
      assert.deepEqual(r.findings, []);
      assertSameFiles('flat-auto', `flat-b3-w${workers}`);
    }
  });
});
