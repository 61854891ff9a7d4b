// A region evaluation (issue 16, `dataset.regions`) end to end on KiTS-like label maps: label
// 1 kidney, 2 tumour; regions kidney = [1, 2], tumour = [2]. The images hold a perturbed copy of
// the label map (grey = 100 × label), so every model below reads back the image's labels, and the
// expected Dice of each region is computed here from the two label maps by hand.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { evaluateExperiment, evaluateRegions } from '../../../server/src/core/evaluate';
import { GraphBuilder } from '../../../server/src/core/onnx';
import { runMedseg } from '../../cli/runCli';

const W = 32;
const H = 32;
const N = 6;
let dir: string;
const refs: Uint8Array[] = [];
const images: Uint8Array[] = [];

/** A kidney disc with a tumour disc inside (none in case 0); the image's tumour is smaller and its kidney shifted. */
function labelMap(i: number, variant: 'ref' | 'image'): Uint8Array {
  const out = new Uint8Array(W * H);
  const shift = variant === 'image' ? 1 : 0;
  const tumourR = i === 0 ? 0 : variant === 'ref' ? 3 + (i % 3) : 2 + (i % 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const kidney = (x - 14 - shift) ** 2 + (y - 12 - i) ** 2 <= 81; // a different image per case (the cache is content-addressed)
      const tumour = tumourR > 0 && (x - 12) ** 2 + (y - 11 - i) ** 2 <= tumourR * tumourR;
      out[y * W + x] = tumour ? 2 : kidney ? 1 : 0;
    }
  return out;
}

async function writeGrey(file: string, data: Uint8Array): Promise<void> {
  await sharp(Buffer.from(data), { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png().toFile(file);
}

/** Logits whose argmax is the label nearest to the grey value: 2μ·x − μ² per label μ (x = grey/255). */
function softmaxModel(): Uint8Array {
  const g = new GraphBuilder('labels');
  const x = g.input('x', ['N', 1, H, W]);
  const mus = [0, 100 / 255, 200 / 255];
  const s = 40;
  const y = g.conv(x, { shape: [3, 1, 1, 1], weights: mus.map((m) => 2 * m * s), bias: mus.map((m) => -m * m * s) });
  g.output(y, ['N', 3, H, W]);
  return g.build();
}

/** One sigmoid per region: kidney-with-tumour (grey ≥ 50) and tumour (grey ≥ 150). */
function sigmoidModel(channels: number[]): Uint8Array {
  const g = new GraphBuilder('regions');
  const x = g.input('x', ['N', 1, H, W]);
  const s = 60;
  const y = g.conv(x, { shape: [channels.length, 1, 1, 1], weights: channels.map(() => s), bias: channels.map((t) => -(t / 255) * s) });
  g.output(y, ['N', channels.length, H, W]);
  return g.build();
}

const dice = (a: ArrayLike<number>, b: ArrayLike<number>, labels: number[]) => {
  let inter = 0, sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = labels.includes(a[i]), y = labels.includes(b[i]);
    if (x) sa++;
    if (y) sb++;
    if (x && y) inter++;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
};

function csvRows(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

const CONFIG = `dataset:
  images: images/*.png
  masks: masks/{stem}.png
  regions:
    kidney: [1, 2]
    tumour: { labels: [2], nsd_tolerance: 2 }
models:
  - name: soft
    path: soft.onnx
    input: { channels: 1, normalize: unit }
    output: { activation: softmax }
  - name: sig
    path: sig.onnx
    input: { channels: 1, normalize: unit }
    output: { activation: sigmoid, region_channels: { kidney: 0, tumour: 1 } }
  - name: files
    predictions: preds/{stem}.png
  - name: tumour-only
    path: tumour.onnx
    input: { channels: 1, normalize: unit }
    region: tumour
evaluation: { bootstrap: 50, fusion: [union, majority], metrics: [dice, iou, nsd] }
runtime: { cache: cache, threads: 1 }
`;

describe('evaluation by region (dataset.regions)', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-regions-'));
    for (const d of ['images', 'masks', 'preds']) mkdirSync(join(dir, d));
    for (let i = 0; i < N; i++) {
      const id = `case_${i}`;
      refs.push(labelMap(i, 'ref'));
      images.push(labelMap(i, 'image'));
      await writeGrey(join(dir, 'masks', `${id}.png`), refs[i]);
      await writeGrey(join(dir, 'images', `${id}.png`), images[i].map((l) => l * 100));
      // Label-map predictions another tool wrote: the image's labels as stored values 0/1/2.
      await writeGrey(join(dir, 'preds', `${id}.png`), images[i]);
    }
    writeFileSync(join(dir, 'soft.onnx'), softmaxModel());
    writeFileSync(join(dir, 'sig.onnx'), sigmoidModel([50, 150]));
    writeFileSync(join(dir, 'tumour.onnx'), sigmoidModel([150]));
    writeFileSync(join(dir, 'kits.medseg.yaml'), CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('each region is its own binary task: Dice per region and model as computed from the label maps', async () => {
    const parsed = await loadConfig(join(dir, 'kits.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    const dataset = await resolveDataset(parsed.config);
    await assert.rejects(evaluateExperiment(parsed.config, dataset), /evaluateRegions/);
    const result = await evaluateRegions(parsed.config, dataset, { outputDir: join(dir, 'out') });
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.regions.map((r) => r.region.name), ['kidney', 'tumour']);

    const rows = csvRows(join(dir, 'out', 'per_image.csv'));
    const header = readFileSync(join(dir, 'out', 'per_image.csv'), 'utf8').split('\n')[0].split(',');
    assert.deepEqual(header.slice(0, 6), ['image_id', 'split', 'method', 'region', 'dice', 'iou']);
    assert.ok(header.includes('nsd'));
    const expectedMethods = { kidney: ['soft', 'sig', 'files', 'fusion:union', 'fusion:majority'], tumour: ['soft', 'sig', 'files', 'tumour-only', 'fusion:union', 'fusion:majority'] };
    // Rows by image, then region in config order, then method.
    assert.deepEqual(
      rows.filter((r) => r.image_id === 'case_1').map((r) => `${r.region}/${r.method}`),
      [...expectedMethods.kidney.map((m) => `kidney/${m}`), ...expectedMethods.tumour.map((m) => `tumour/${m}`)],
    );
    assert.equal(rows.length, N * (expectedMethods.kidney.length + expectedMethods.tumour.length));
    for (let i = 0; i < N; i++) {
      for (const [region, labels] of [['kidney', [1, 2]], ['tumour', [2]]] as const) {
        const want = dice(refs[i], images[i], [...labels]);
        for (const method of ['soft', 'sig', 'files', ...(region === 'tumour' ? ['tumour-only'] : [])]) {
          const row = rows.find((r) => r.image_id === `case_${i}` && r.region === region && r.method === method)!;
          assert.ok(Math.abs(Number(row.dice) - want) < 1e-12, `${region} ${method} case_${i}: ${row.dice} vs ${want}`);
        }
      }
    }
    // Case 0 has no tumour in either map: the tumour reference is empty, not a rule matching nothing.
    const empty = rows.find((r) => r.image_id === 'case_0' && r.region === 'tumour' && r.method === 'soft')!;
    assert.equal(empty.dice, '1');
    assert.equal(empty.ref_pixels, '0');
    // The tumour is the harder region here (a smaller disc in the image than in the reference).
    const mean = (region: string) => result.summary.regions[region].methods.soft.metrics.dice!.mean!;
    assert.ok(mean('kidney') > mean('tumour'));
  });

  test('summary.json is keyed by region, each a whole binary summary; each region has its own results folder', async () => {
    const out = join(dir, 'out');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.deepEqual(Object.keys(summary.regions), ['kidney', 'tumour']);
    assert.deepEqual(summary.regions.tumour.labels, [2]);
    assert.equal(summary.regions.tumour.nsd_tolerance, 2);
    assert.equal(summary.regions.kidney.folder, 'regions/kidney');
    // The run is the config's; each region's summary (and report, dashboard title) names its region.
    assert.equal(summary.experiment, 'kits');
    assert.equal(summary.regions.tumour.experiment, 'kits · tumour');
    assert.match(readFileSync(join(out, 'regions', 'tumour', 'report.html'), 'utf8'), /<title>MedSeg Eval · kits · tumour<\/title>/);
    assert.deepEqual(Object.keys(summary.regions.tumour.methods), ['soft', 'sig', 'files', 'tumour-only', 'fusion:union', 'fusion:majority']);
    assert.ok(Array.isArray(summary.regions.kidney.comparisons) && summary.regions.kidney.comparisons.length > 0);
    assert.equal(summary.images, N);
    // The region folder is a binary results folder: per_image.csv without a region column, masks, report.
    const kidneyRows = csvRows(join(out, 'regions', 'kidney', 'per_image.csv'));
    assert.equal('region' in kidneyRows[0], false);
    const top = csvRows(join(out, 'per_image.csv')).filter((r) => r.region === 'kidney');
    assert.deepEqual(top.map(({ region: _r, ...rest }) => rest), kidneyRows);
    assert.ok(existsSync(join(out, 'regions', 'tumour', 'masks', 'soft', 'case_1.png')));
    assert.ok(existsSync(join(out, 'regions', 'kidney', 'report.html')));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<h2>Region kidney<\/h2>/);
    assert.match(html, /<h2>Region tumour<\/h2>/);
    assert.match(html, /href="regions\/tumour\/report.html"/);
  });

  test('a model predicting every region runs once per case: the second region reads the cache', async () => {
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    assert.equal(summary.regions.kidney.models.soft.inferences, N);
    assert.equal(summary.regions.tumour.models.soft.inferences, 0);
    assert.equal(summary.regions.kidney.models.sig.inferences, N);
    assert.equal(summary.regions.tumour.models.sig.inferences, 0);
    assert.equal(summary.regions.tumour.models['tumour-only'].inferences, N);
    // Probabilities: the softmax region map is the sum of its labels' channels, so kidney ⊇ tumour pixelwise.
    const kidney = await sharp(join(dir, 'out', 'regions', 'kidney', 'prob', 'soft', 'case_2.png')).raw({ depth: 'ushort' }).toBuffer();
    const tumour = await sharp(join(dir, 'out', 'regions', 'tumour', 'prob', 'soft', 'case_2.png')).raw({ depth: 'ushort' }).toBuffer();
    const k = new Uint16Array(kidney.buffer, kidney.byteOffset, kidney.length / 2);
    const t = new Uint16Array(tumour.buffer, tumour.byteOffset, tumour.length / 2);
    assert.ok(k.every((v, i) => v >= t[i]));
  });

  test('medseg evaluate prints a table per region; shards merge into the whole run\'s files, byte for byte', () => {
    const whole = runMedseg(dir, 'evaluate', 'kits.medseg.yaml', '--output', 'cli-whole');
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stdout, /^Region kidney \(labels 1, 2\)$/m);
    assert.match(whole.stdout, /^Region tumour \(labels 2\)$/m);
    for (const i of [1, 2]) {
      const shard = runMedseg(dir, 'evaluate', 'kits.medseg.yaml', '--output', `cli-s${i}`, '--shard', `${i}/2`);
      assert.equal(shard.code, 0, shard.stderr);
      const stress = runMedseg(dir, 'stress', 'kits.medseg.yaml', '--output', `cli-s${i}`, '--shard', `${i}/2`, '--perturbations', 'flip', '--repeats', '1');
      assert.equal(stress.code, 0, stress.stderr);
    }
    const merged = runMedseg(dir, 'merge', 'cli-s1', 'cli-s2', '--output', 'cli-merged');
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /^Region tumour \(labels 2\)$/m);
    for (const file of ['per_image.csv', 'regions/kidney/per_image.csv', 'regions/tumour/per_image.csv', 'regions/tumour/fusion_changes.csv']) {
      assert.ok(readFileSync(join(dir, 'cli-merged', file)).equals(readFileSync(join(dir, 'cli-whole', file))), `${file} of the merge is the whole run's`);
    }
    const summary = JSON.parse(readFileSync(join(dir, 'cli-merged', 'summary.json'), 'utf8'));
    assert.deepEqual(Object.keys(summary.regions), ['kidney', 'tumour']);
    assert.equal(summary.merged_from.length, 2);
    assert.ok(existsSync(join(dir, 'cli-merged', 'regions', 'kidney', 'masks', 'soft', 'case_3.png')));
    // The shards' stress tests are joined region by region too.
    for (const region of ['kidney', 'tumour']) {
      const stress = JSON.parse(readFileSync(join(dir, 'cli-merged', 'regions', region, 'stress.json'), 'utf8'));
      assert.ok(stress.perturbations, `${region}: merged perturbation curves`);
    }
    // A cluster job that would explain or map a region config is refused before anything is written.
    const slurm = runMedseg(dir, 'slurm', 'kits.medseg.yaml', '--shards', '2', '--run', 'evaluate,explain', '--output', 'cli-slurm');
    assert.equal(slurm.code, 1, slurm.stderr);
    assert.match(slurm.stderr, /region\/unsupported-command/);
    assert.equal(existsSync(join(dir, 'cli-slurm.slurm')), false);
  });

  test('medseg stress tests and medseg compare compares each region in its own folder; explain and umap refuse a region config before doing anything', () => {
    const stress = runMedseg(dir, 'stress', 'kits.medseg.yaml', '--output', 'cli-whole', '--perturbations', 'flip', '--repeats', '1');
    assert.equal(stress.code, 0, stress.stderr);
    assert.match(stress.stdout, /^Region kidney$/m);
    assert.match(stress.stdout, /^Region tumour$/m);
    for (const region of ['kidney', 'tumour']) {
      const report = JSON.parse(readFileSync(join(dir, 'cli-whole', 'regions', region, 'stress.json'), 'utf8'));
      assert.ok(report.perturbations, `${region} has its perturbation curves`);
    }
    const compare = runMedseg(dir, 'compare', 'cli-whole', '--alpha', '0.1');
    assert.equal(compare.code, 0, compare.stderr);
    assert.match(compare.stdout, /^Region tumour$/m);
    const compared = JSON.parse(readFileSync(join(dir, 'cli-whole', 'summary.json'), 'utf8'));
    assert.equal(compared.regions.tumour.compared.alpha, 0.1);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'cli-whole', 'regions', 'tumour', 'summary.json'), 'utf8')).compared, compared.regions.tumour.compared);
    const oneRegion = runMedseg(dir, 'compare', 'cli-whole/regions/kidney');
    assert.equal(oneRegion.code, 1);
    assert.match(oneRegion.stderr, /one region's folder/);
    for (const command of ['explain', 'umap']) {
      const r = runMedseg(dir, command, 'kits.medseg.yaml', '--output', 'cli-whole');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /region\/unsupported-command/);
      assert.equal(existsSync(join(dir, 'cli-whole', command === 'explain' ? 'explain' : 'umap.json')), false);
    }
  });

  test('a model whose channels do not hold the labels the config names is skipped at opening, with the reason, in every region', async () => {
    writeFileSync(join(dir, 'bad.medseg.yaml'), CONFIG.replace('output: { activation: softmax }', 'output: { activation: softmax, labels: [0, 1, 2, 3] }'));
    const parsed = await loadConfig(join(dir, 'bad.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    const result = await evaluateRegions(parsed.config, await resolveDataset(parsed.config), { outputDir: join(dir, 'out-bad'), report: false });
    const codes = result.findings.map((f) => [f.code, f.configPath?.join('.')]);
    assert.deepEqual(codes, [['model/region-channels', 'models.0.path'], ['model/region-channels', 'models.0.path']]);
    assert.match(result.findings[0].message, /^Region kidney: .*3 channels but `output.labels` lists 4 labels/);
    assert.deepEqual(result.summary.skipped_models.map((s) => [s.region, s.name]), [['kidney', 'soft'], ['tumour', 'soft']]);
    assert.equal(result.summary.failures.length, 0, 'no case is failed one by one');
  });

  test('a label no region names is the case\'s error, never background: mask/unnamed-labels, prediction/unnamed-labels', async () => {
    mkdirSync(join(dir, 'masks3'));
    mkdirSync(join(dir, 'preds3'));
    for (let i = 0; i < N; i++) {
      const mask = refs[i].slice();
      const pred = images[i].slice();
      if (i === 2) mask[0] = 3; // a KiTS21 cyst the config does not name
      if (i === 4) pred[0] = 3;
      await writeGrey(join(dir, 'masks3', `case_${i}.png`), mask);
      await writeGrey(join(dir, 'preds3', `case_${i}.png`), pred);
    }
    const yaml = `dataset:\n  images: images/*.png\n  masks: masks3/{stem}.png\n  regions: { kidney: [1, 2], tumour: [2] }\nmodels:\n  - name: files\n    predictions: preds3/{stem}.png\nevaluation: { bootstrap: 20, fusion: [] }\n`;
    writeFileSync(join(dir, 'unnamed.medseg.yaml'), yaml);
    const parsed = await loadConfig(join(dir, 'unnamed.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    const result = await evaluateRegions(parsed.config, await resolveDataset(parsed.config), { outputDir: join(dir, 'out-unnamed'), report: false });
    const failures = result.summary.failures.map((f) => [f.region, f.image_id, f.method ?? '', f.code]);
    assert.deepEqual(failures, [
      ['kidney', 'case_2', '', 'mask/unnamed-labels'],
      ['kidney', 'case_4', 'files', 'prediction/unnamed-labels'],
      ['tumour', 'case_2', '', 'mask/unnamed-labels'],
      ['tumour', 'case_4', 'files', 'prediction/unnamed-labels'],
    ]);
    // The other cases are scored; the failed ones have no row in either region.
    const rows = csvRows(join(dir, 'out-unnamed', 'per_image.csv'));
    assert.equal(rows.length, 2 * (N - 2));
    assert.ok(!rows.some((r) => r.image_id === 'case_2' || r.image_id === 'case_4'));
  });

  test('a region no model predicts is evaluated with no method: an empty table, never an error', async () => {
    writeFileSync(join(dir, 'one.medseg.yaml'), `dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\n  regions: { kidney: [1, 2], tumour: [2] }\nmodels:\n  - name: tumour-only\n    path: tumour.onnx\n    input: { channels: 1, normalize: unit }\n    region: tumour\nevaluation: { bootstrap: 20 }\n`);
    const parsed = await loadConfig(join(dir, 'one.medseg.yaml'));
    assert.ok(parsed.config);
    assert.deepEqual(parsed.findings.map((f) => f.code), ['config/region-without-models']);
    const result = await evaluateRegions(parsed.config, await resolveDataset(parsed.config), { outputDir: join(dir, 'out-one') });
    assert.deepEqual(result.findings, []);
    assert.deepEqual(Object.keys(result.summary.regions.kidney.methods), []);
    assert.deepEqual(Object.keys(result.summary.regions.tumour.methods), ['tumour-only']);
    const rows = csvRows(join(dir, 'out-one', 'per_image.csv'));
    assert.equal(rows.length, N);
    assert.ok(rows.every((r) => r.region === 'tumour'));
    assert.match(readFileSync(join(dir, 'out-one', 'report.html'), 'utf8'), /<h2>Region kidney<\/h2>/);
  });
});
