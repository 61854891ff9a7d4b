import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../server/src/core/config';
import type { MedsegConfig } from '../../../server/src/core/config/types';
import { resolveDataset } from '../../../server/src/core/dataset';
import type { ResolvedDataset } from '../../../server/src/core/dataset/types';
import { explainExperiment, umapExperiment, type ExplainedImage, type ExplainReport, type UmapReport } from '../../../server/src/core/explain';
import { readExplainRows } from '../../../server/src/core/explain/explainRows';
import { GraphBuilder } from '../../../server/src/core/onnx';

const SIZE = 16;

/**
 * A model whose Grad-CAM is known exactly: A = ReLU([10x − 5, 5 − 10x]) (lesion and background
 * channels), logits = A₀ − A₁ = 10x − 5. On the predicted mask M the weights are (|M|, −|M|)/256,
 * so the map is |M|/256 · A₀: heat on the lesion only.
 */
function model(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('image', ['N', 1, SIZE, SIZE]);
  const a = g.relu(g.conv(x, { weights: [10, -10], shape: [2, 1, 1, 1], bias: [-5, 5] }), 'features');
  g.output(g.conv(a, { weights: [1, -1], shape: [1, 2, 1, 1], name: 'logits' }), ['N', 1, SIZE, SIZE]);
  return g.build();
}

interface Case {
  id: string;
  split: 'train' | 'test';
  site: string;
  /** Lesion square [x0, y0, side]; `inverted`: bright background, an image unlike the others. */
  lesion: [number, number, number];
  inverted?: boolean;
}

const CASES: Case[] = [
  ...Array.from({ length: 8 }, (_, i): Case => ({ id: `tr${i}`, split: 'train', site: i % 2 ? 'arm' : 'leg', lesion: [2 + (i % 4) * 2, 2 + Math.floor(i / 4) * 4, 5 + (i % 3)] })),
  { id: 'te0', split: 'test', site: 'arm', lesion: [4, 4, 6] },
  { id: 'te1', split: 'test', site: 'leg', lesion: [6, 3, 5] },
  { id: 'te2', split: 'test', site: 'leg', lesion: [4, 6, 7] },
  { id: 'te3', split: 'test', site: 'arm', lesion: [5, 5, 4], inverted: true },
];

function pixels(c: Case): { image: Uint8Array; mask: Uint8Array } {
  const image = new Uint8Array(SIZE * SIZE);
  const mask = new Uint8Array(SIZE * SIZE);
  const [x0, y0, side] = c.lesion;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const inside = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
      image[y * SIZE + x] = inside ? 200 : c.inverted ? 140 + ((x * 7 + y * 3) % 50) : 30 + ((x + y) % 5);
      mask[y * SIZE + x] = inside ? 255 : 0;
    }
  return { image, mask };
}

async function rowsOf(file: string): Promise<ExplainedImage[]> {
  const out: ExplainedImage[] = [];
  for await (const row of readExplainRows(file)) out.push(row);
  return out;
}

const grey = (data: Uint8Array) => sharp(Buffer.from(data), { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').png().toBuffer();

let dir: string;
let config: MedsegConfig;
let dataset: ResolvedDataset;

describe('explain and umap on a small experiment', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (const c of CASES) {
      const { image, mask } = pixels(c);
      writeFileSync(join(dir, 'images', `${c.id}.png`), await grey(image));
      writeFileSync(join(dir, 'masks', `${c.id}_mask.png`), await grey(mask));
    }
    writeFileSync(join(dir, 'splits.csv'), ['image_id,split', ...CASES.map((c) => `${c.id},${c.split}`)].join('\n') + '\n');
    writeFileSync(join(dir, 'clinical.csv'), ['image_id,site', ...CASES.map((c) => `${c.id},${c.site}`)].join('\n') + '\n');
    writeFileSync(join(dir, 'm.onnx'), model());
    writeFileSync(
      join(dir, 'tiny.medseg.yaml'),
      `name: tiny
dataset:
  images: images/*.png
  masks: masks/{stem}_mask.png
  labels: clinical.csv
  id_column: image_id
  label_columns: [site]
  foreground: 255
splits:
  file: splits.csv
models:
  - name: m
    path: m.onnx
    input: { size: [${SIZE}, ${SIZE}], layout: NCHW, channels: 1, normalize: unit }
    output: { activation: sigmoid, channel: 0, threshold: 0.5 }
evaluation:
  split: test
  correct_dice: 0.8
explain:
  gradcam: { layer: auto, images: 3 }
  umap: { features: auto, neighbors: 5, seed: 3 }
runtime: { provider: cpu, threads: 1 }
output: out
`,
    );
    const parsed = await loadConfig(join(dir, 'tiny.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    config = parsed.config;
    dataset = await resolveDataset(config);
    assert.deepEqual(dataset.findings.filter((f) => f.severity === 'error'), []);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('explain: three evenly spaced test images, heatmaps on disk, all the heat on the lesion', async () => {
    const progress: { done: number; fraction: number }[] = [];
    const result = await explainExperiment(config, dataset, { onProgress: (p) => progress.push(p) });
    assert.deepEqual(result.findings, []);
    // The three images run as one batch of the gradient graph.
    assert.deepEqual([...new Set(progress.map((p) => p.done))], [0, 3]);
    assert.equal(progress[progress.length - 1].fraction, 1);
    assert.ok(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction), 'progress never goes back');
    const report = JSON.parse(readFileSync(join(dir, 'out', 'tiny', 'explain.json'), 'utf8')) as ExplainReport;
    assert.equal(report.method, 'gradcam');
    const m = report.models.m;
    assert.deepEqual([m.layer.name, m.layer.rule, m.layer.channels], ['features', 'auto', 2]);
    assert.equal(m.gradient, 'exact');
    assert.equal(m.rows, 'explain/gradcam/m.csv');
    const images = await rowsOf(join(dir, 'out', 'tiny', m.rows));
    // 4 test cases, 3 wanted: indices ⌊k·4/3⌋ = 0, 1, 2.
    assert.deepEqual(images.map((i) => i.id), ['te0', 'te1', 'te2']);
    assert.equal(m.images, 3);
    assert.deepEqual([m.summary.inside_reference.mean, m.summary.dice.mean], [1, 1]);
    for (const image of images) {
      const c = CASES.find((x) => x.id === image.id)!;
      const side = c.lesion[2];
      assert.equal(image.heatmap, `heatmaps/gradcam/m/${image.id}.png`);
      assert.equal(image.gradient, 'exact');
      assert.equal(image.target_pixels, side * side);
      assert.equal(image.dice, 1);
      assert.equal(image.inside_reference, 1);
      assert.equal(image.inside_fp, 0);
      assert.equal(image.inside_fn, 0);
      // heat = |M|/256 · (10·200/255 − 5) on the lesion, in float32.
      assert.ok(Math.abs(image.heat_max - ((side * side) / 256) * (10 * (200 / 255) - 5)) < 1e-4);
      const png = join(dir, 'out', 'tiny', image.heatmap);
      const meta = await sharp(png).metadata();
      assert.deepEqual([meta.width, meta.height, meta.channels], [SIZE, SIZE, 1]);
      const heat = await sharp(png).toColourspace('b-w').raw().toBuffer();
      const { mask } = pixels(c);
      for (let i = 0; i < heat.length; i++) assert.equal(heat[i], mask[i] ? 255 : 0, `${image.id} pixel ${i}`);
    }
  });

  test('explain: Eigen-CAM and Score-CAM run on the same images; --images caps the count', async () => {
    for (const method of ['eigencam', 'scorecam'] as const) {
      const result = await explainExperiment(config, dataset, { method, images: 2, outputDir: join(dir, method) });
      assert.deepEqual(result.findings, []);
      const m = result.report.models.m;
      const images = await rowsOf(join(dir, method, m.rows));
      assert.deepEqual(images.map((i) => i.id), ['te0', 'te2']);
      assert.ok(images.every((i) => (i.inside_reference ?? 0) > 0.5), `${method}: ${JSON.stringify(m.summary.inside_reference)}`);
      assert.ok(existsSync(join(dir, method, 'heatmaps', method, 'm', 'te2.png')));
    }
  });

  test('explain --images all: every test image, batched; a rerun resumes (a torn last row and a missing row are redone, nothing else)', async () => {
    const out = join(dir, 'all');
    const first = await explainExperiment(config, dataset, { method: 'hirescam', images: 'all', outputDir: out });
    assert.deepEqual(first.findings, []);
    const m = first.report.models.m;
    assert.deepEqual([m.images, m.resumed, m.gradient], [4, 0, 'exact']);
    const file = join(out, m.rows);
    const rows = await rowsOf(file);
    assert.deepEqual(rows.map((r) => r.id).sort(), ['te0', 'te1', 'te2', 'te3']);
    // Interrupted: the last row torn half-way, so te3 (the last) counts as not done.
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.length - 10));
    const second = await explainExperiment(config, dataset, { method: 'hirescam', images: 'all', outputDir: out });
    assert.deepEqual([second.report.models.m.images, second.report.models.m.resumed], [4, 3]);
    const again = await rowsOf(file);
    assert.deepEqual(again.map((r) => r.id), rows.map((r) => r.id));
    for (const key of ['inside_reference', 'inside_fp', 'dice', 'target_pixels'] as const) assert.deepEqual(again.map((r) => r[key]), rows.map((r) => r[key]));
    // Another target is another configuration: the rows start afresh.
    const byReference = { ...config, explain: { ...config.explain, gradcam: { ...config.explain.gradcam, target: 'reference' as const } } };
    const third = await explainExperiment(byReference, dataset, { method: 'hirescam', images: 'all', outputDir: out });
    assert.deepEqual([third.report.models.m.images, third.report.models.m.resumed], [4, 0]);
  });

  test('explain: a layer name that does not exist is a finding on explain.gradcam.layer', async () => {
    const bad = { ...config, explain: { ...config.explain, gradcam: { ...config.explain.gradcam, layer: 'nope' } } };
    const result = await explainExperiment(bad, dataset, { outputDir: join(dir, 'bad') });
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0].code, 'explain/unknown-tensor');
    assert.deepEqual(result.findings[0].configPath, ['explain', 'gradcam', 'layer']);
    assert.deepEqual(result.report.models, {});
  });

  test('umap: an image map and a feature map with every image, Dice from per_image.csv, the odd test image out of distribution', async () => {
    const out = join(dir, 'out', 'tiny');
    writeFileSync(join(out, 'per_image.csv'), 'image_id,split,method,dice\nte0,test,m,0.9\nte1,test,m,0.5\nte2,test,m,\n');
    const stages = new Set<string>();
    const result = await umapExperiment(config, dataset, { onProgress: (p) => stages.add(p.stage) });
    assert.deepEqual([...stages].sort(), ['embedding', 'features']);
    const report = JSON.parse(readFileSync(join(out, 'umap.json'), 'utf8')) as UmapReport;
    assert.deepEqual(report.maps.map((m) => m.name), ['images', 'm:features']);
    assert.deepEqual([report.maps[0].dims, report.maps[1].dims], [768, 2]);
    for (const map of report.maps) {
      assert.deepEqual(map.points.map((p) => p.id), CASES.map((c) => c.id).sort());
      for (const p of map.points) {
        assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y));
        const c = CASES.find((x) => x.id === p.id)!;
        assert.equal(p.split, c.split);
        assert.deepEqual(p.labels, { site: c.site });
        assert.equal(p.ood === undefined, c.split !== 'test');
      }
      const te0 = map.points.find((p) => p.id === 'te0')!;
      const te1 = map.points.find((p) => p.id === 'te1')!;
      const te2 = map.points.find((p) => p.id === 'te2')!;
      assert.deepEqual([te0.dice, te0.correct], [{ m: 0.9 }, { m: true }]);
      assert.deepEqual([te1.dice, te1.correct], [{ m: 0.5 }, { m: false }]);
      assert.deepEqual([te2.dice, te2.correct], [{ m: null }, { m: null }]);
    }
    const images = report.maps[0];
    assert.deepEqual(images.points.filter((p) => p.ood).map((p) => p.id), ['te3']);
    assert.equal(images.out_of_distribution?.count, 1);
    const ood = result.findings.filter((f) => f.code.startsWith('explain/out-of-distribution'));
    assert.ok(ood.some((f) => f.message.includes('te3') && f.message.startsWith('Map `images`')));
    assert.ok(ood.some((f) => f.code === 'explain/out-of-distribution-by-label' && f.message.includes('arm 1/2') && f.message.includes('leg 0/2')));
  });

  test('umap: the same seed gives the same map', async () => {
    const first = JSON.parse(readFileSync(join(dir, 'out', 'tiny', 'umap.json'), 'utf8')) as UmapReport;
    await umapExperiment(config, dataset, { outputDir: join(dir, 'again'), worker: false });
    const again = JSON.parse(readFileSync(join(dir, 'again', 'umap.json'), 'utf8')) as UmapReport;
    assert.deepEqual(again.maps.map((m) => m.points.map((p) => [p.x, p.y])), first.maps.map((m) => m.points.map((p) => [p.x, p.y])));
  });
});
