import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { ExplainSectionData } from '../../../server/src/protocol';
import type { DatasetCase } from '../../../server/src/core/dataset/types';
import { hasExplainResults, readExplainReports } from '../../../server/src/core/explain/explainFile';
import { writeNifti } from '../../../server/src/core/io';
import type { ExplainedImage } from '../../../server/src/core/explain/explainReport';
import { rankByHeatInside } from '../../../server/src/core/report/explainGallery';
import { explainShownOf, galleryPerList, reportExplainSection, type ExplainShown } from '../../../server/src/core/report/explainSection';

const SIZE = 8;
const HASH_A_EXPLAINED = 'a'.repeat(64);
const HASH_A_EVALUATED = 'b'.repeat(64);
const HASH_B = 'c'.repeat(64);

/** The evaluation the report shows: models a, b, c (ONNX), test split. */
const SHOWN: ExplainShown = { experiment: 'fx', split: 'test', models: ['a', 'b', 'c'], modelHashes: { a: HASH_A_EVALUATED, b: HASH_B, c: 'd'.repeat(64) } };

const summary = (mean: number | null, ci: [number, number] | null, n = 5, excluded = 0) => ({ n, excluded, mean, median: mean, std: mean === null ? null : 0.1, ci95: ci });

/** Grad-CAM of models a (TII, exact) and b (LMI, finite differences), written by hand. */
const GRADCAM = {
  experiment: 'fx',
  time: '2026-01-02T03:04:05.000Z',
  engine_version: '0.1.0',
  config: '/x/fx.medseg.yaml',
  split: 'test',
  method: 'gradcam',
  target: 'prediction',
  image_rule: 'every case of the split with a reference mask',
  layer_rule: 'the deepest feature map',
  models: {
    a: {
      family: 'TII',
      layer: { name: 'enc.relu4', op: 'Relu', channels: 64, height: 2, width: 2, depth: 12, rule: 'auto' },
      provider: 'cpu',
      gradient: 'exact',
      images: 5,
      resumed: 2,
      rows: 'explain/gradcam/a.csv',
      heatmaps: 'heatmaps/gradcam/a/',
      summary: {
        dice: summary(0.8, [0.7, 0.9]),
        inside_reference: summary(0.54, [0.25, 0.82], 5, 1),
        inside_prediction: summary(0.6, [0.4, 0.8]),
        inside_fp: summary(0.3, [0.1, 0.5]),
        inside_fn: summary(null, null, 0, 5),
      },
      seconds_per_image: 0.0123,
    },
    b: {
      family: 'LMI',
      layer: { name: 'dec.conv1', op: 'Conv', channels: 32, height: 4, width: 4, depth: 20, rule: 'config' },
      provider: 'cpu',
      gradient: 'differences',
      gradient_note: "the graph cannot be differentiated (CumSum has no gradient rule); Grad-CAM by finite differences through the model's tail",
      images: 6,
      resumed: 0,
      rows: 'explain/gradcam/b.csv',
      heatmaps: 'heatmaps/gradcam/b/',
      summary: {
        dice: summary(0.7, [0.6, 0.8]),
        inside_reference: summary(0.42, [0.3, 0.55]),
        inside_prediction: summary(0.5, [0.3, 0.7]),
        inside_fp: summary(0.2, [0.1, 0.3]),
        inside_fn: summary(0.1, [0.05, 0.15]),
      },
      seconds_per_image: 1.5,
    },
  },
  comparisons: [
    { a: 'a', b: 'b', metric: 'inside_reference', n: 5, mean_difference: 0.12, test: 'Paired t-test', statistic: 2.5, p: 0.0667, p_adjusted: 0.0667, effect_size: 1.118, effect_name: "Cohen's d_z" },
  ],
  families: [
    { a: 'TII', b: 'LMI', metric: 'inside_reference', n: 5, mean_difference: 0.12, test: 'Wilcoxon signed-rank', statistic: 0, p: 0.0625, p_adjusted: 0.0625, effect_size: 1, effect_name: 'matched-pairs rank-biserial correlation', mean_a: 0.54, mean_b: 0.42 },
    { a: 'TII', b: 'LMI', metric: 'inside_fp', n: 5, mean_difference: -0.000004, test: 'Paired t-test', statistic: -3.25, p: 0.00003, p_adjusted: 0.00006, effect_size: -1.4533, effect_name: "Cohen's d_z", mean_a: 0.3, mean_b: 0.2 },
    { a: 'TII', b: 'LMI', metric: 'inside_fn', n: 5, mean_difference: 0, test: 'none (constant differences)', statistic: 0, p: 1, p_adjusted: 1, mean_a: 0, mean_b: 0, note: 'the two methods give identical values on every image' },
  ],
  failures: [{ image_id: 'c8', model: 'b', code: 'image/unreadable', message: 'c8.png cannot be decoded' }],
};

/** Saliency of model a alone, on the val split, its rows file gone. */
const SALIENCY = {
  ...GRADCAM,
  time: '2026-01-03T00:00:00.000Z',
  split: 'val',
  method: 'saliency',
  layer_rule: 'the model input (gradients with respect to the image)',
  models: { a: { ...GRADCAM.models.a, rows: 'explain/saliency/a.csv', heatmaps: 'heatmaps/saliency/a/', seconds_per_image: 0.25 } },
  comparisons: [],
  families: [],
  failures: [],
};

const HEADER = 'image_id,split,slice,heatmap,heat_max,target_pixels,dice,inside_reference,inside_prediction,inside_fp,inside_fn,gradient,epsilon,relative_step,explained_variance,seconds';
/** [id, dice, inside_reference, inside_fp, inside_fn]; '' is an undefined share (an empty reference). */
const ROWS_A: [string, number, number | '', number | '', number | ''][] = [
  ['c1', 0.9, 0.9, 0.1, 0],
  ['c2', 0.8, 0.5, 0.5, 0],
  ['c3', 1, '', 1, ''],
  ['c4', 0.85, 0.9, 0.1, 0],
  ['c5', 0.2, 0.1, 0.6, 0.3],
  ['c6', 0.7, 0.3, 0.7, 0],
];
const rowsCsv = (model: string, rows: typeof ROWS_A) =>
  [HEADER, ...rows.map(([id, dice, ref, fp, fn]) => `${id},test,,heatmaps/gradcam/${model}/${id}.png,0.5,16,${dice},${ref},1,${fp},${fn},exact,,,,0.01`)].join('\n') + '\n';

let dir: string;
let out: string;
let cases: DatasetCase[];
let section: ExplainSectionData;

const grey = (data: Uint8Array) => sharp(Buffer.from(data), { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').png().toBuffer();

function write(relative: string, content: string | Uint8Array): void {
  const file = join(out, relative);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
}

describe('the report\'s explanations section', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-explain-section-'));
    out = join(dir, 'out');
    mkdirSync(join(dir, 'images'));
    // Every image grey 40 with a 4 × 4 reference square at 2..5; heat 255 at pixel (3, 3) only.
    const image = new Uint8Array(SIZE * SIZE).fill(40);
    const mask = new Uint8Array(SIZE * SIZE);
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) mask[y * SIZE + x] = 255;
    const heat = new Uint8Array(SIZE * SIZE);
    heat[3 * SIZE + 3] = 255;
    cases = [];
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c8']) {
      writeFileSync(join(dir, 'images', `${id}.png`), await grey(image));
      writeFileSync(join(dir, 'images', `${id}_mask.png`), await grey(mask));
      cases.push({ id, image: join(dir, 'images', `${id}.png`), mask: join(dir, 'images', `${id}_mask.png`), labels: {}, predictions: {}, split: 'test' });
    }
    const heatPng = await grey(heat);
    for (const [id] of ROWS_A) write(`heatmaps/gradcam/a/${id}.png`, heatPng);
    // Model b: c2's heatmap is missing, c7 is not a case of the dataset.
    for (const id of ['c1', 'c3', 'c4', 'c5', 'c6', 'c7']) write(`heatmaps/gradcam/b/${id}.png`, heatPng);
    write('explain/gradcam/a.csv', rowsCsv('a', ROWS_A));
    write('explain/gradcam/b.csv', rowsCsv('b', [...ROWS_A, ['c7', 0.5, 0.95, 0, 0]]));
    write('explain/gradcam/a.run.json', JSON.stringify({ method: 'gradcam', model: 'a', model_sha256: HASH_A_EXPLAINED }));
    write('explain/gradcam/b.run.json', JSON.stringify({ method: 'gradcam', model: 'b', model_sha256: HASH_B }));
    write('explain/gradcam/explain.json', JSON.stringify(GRADCAM));
    write('explain/saliency/explain.json', JSON.stringify(SALIENCY));
    write('explain/scorecam/explain.json', '{ "method": "scorecam", ');
    // The folder's explain.json: an older Grad-CAM run, which the method's own (newer) file replaces.
    write('explain.json', JSON.stringify({ ...GRADCAM, time: '2025-12-31T00:00:00.000Z', models: {} }));
    section = (await reportExplainSection(out, SHOWN, { cases, foreground: { kind: 'values', values: [255] }, perList: 4 }))!;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('one entry per method with an explain.json, in the engine\'s order; a broken one is named with its fix', () => {
    assert.deepEqual(
      section.methods.map((m) => [m.method, m.label, m.time, m.split, m.inputGradient]),
      [
        ['gradcam', 'Grad-CAM', '2026-01-02T03:04:05.000Z', 'test', false],
        ['saliency', 'Saliency', '2026-01-03T00:00:00.000Z', 'val', true],
      ],
    );
    assert.equal(section.problems.length, 1);
    assert.match(section.problems[0], /explain\/scorecam\/explain\.json is not valid JSON .*; run `medseg explain` again\./);
    assert.equal(section.experiment, 'fx');
    assert.equal(section.galleryPerList, 4);
    assert.deepEqual(section.notes, []);
  });

  test('the model table: family, layer, gradients with the note, images, and every share with its interval', () => {
    const [a, b] = section.methods[0].models;
    const { most: _m, least: _l, ...rowA } = a;
    assert.deepEqual(rowA, {
      model: 'a',
      family: 'TII',
      layer: 'enc.relu4',
      layerShape: 'Relu · 64×2×2',
      layerChoice: 'auto',
      gradient: 'exact',
      images: 5,
      resumed: 2,
      secondsPerImage: 0.0123,
      dice: { n: 5, excluded: 0, mean: 0.8, median: 0.8, std: 0.1, ci95: [0.7, 0.9] },
      insideReference: { n: 5, excluded: 1, mean: 0.54, median: 0.54, std: 0.1, ci95: [0.25, 0.82] },
      insidePrediction: { n: 5, excluded: 0, mean: 0.6, median: 0.6, std: 0.1, ci95: [0.4, 0.8] },
      insideFp: { n: 5, excluded: 0, mean: 0.3, median: 0.3, std: 0.1, ci95: [0.1, 0.5] },
      // explain.json's nulls (no image with a type II pixel) are left out.
      insideFn: { n: 0, excluded: 5 },
    });
    assert.deepEqual([b.layer, b.layerShape], ['dec.conv1', 'Conv · 32×4×4']);
    assert.equal(b.layerChoice, 'config');
    assert.equal(b.gradient, 'differences');
    assert.match(b.gradientNote!, /CumSum has no gradient rule/);
    assert.deepEqual([section.methods[1].models[0].layer, section.methods[1].models[0].layerShape], ['input image', undefined]);
    assert.equal(section.methods[1].models[0].layerChoice, undefined);
  });

  test('galleries: most heat inside the reference (ties by id), then the least among the others; undefined shares take no part', () => {
    const [a] = section.methods[0].models;
    // Shares: c1 0.9, c4 0.9, c2 0.5, c6 0.3, c5 0.1, c3 undefined. Four most; of the rest only c5.
    assert.deepEqual(a.most.map((t) => t.imageId), ['c1', 'c4', 'c2', 'c6']);
    assert.deepEqual(a.least.map((t) => t.imageId), ['c5']);
    assert.deepEqual(
      a.most.map(({ src: _s, ...t }) => t)[0],
      { imageId: 'c1', model: 'a', dice: 0.9, insideReference: 0.9, insideFp: 0.1, insideFn: 0 },
    );
    assert.equal(a.galleryNote, undefined);
  });

  test('thumbnails are small JPEG data URIs: the image, the heat over it (pixel (3, 3) → yellow), grey elsewhere', async () => {
    const t = section.methods[0].models[0].most[0];
    const prefix = 'data:image/jpeg;base64,';
    assert.ok(t.src.startsWith(prefix));
    const jpeg = Buffer.from(t.src.slice(prefix.length), 'base64');
    assert.ok(jpeg.length < 6000, `${jpeg.length} bytes`);
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [120, 120]);
    const px = (x: number, y: number) => Array.from(data.subarray(3 * (y * 120 + x), 3 * (y * 120 + x) + 3));
    // 40·25/255 + 255·230/255 = 233.9 (red, green), 40·25/255 = 3.9 (blue); JPEG at quality 80 within 12.
    assert.ok(px(52, 52).every((v, k) => Math.abs(v - [234, 234, 4][k]) <= 12), String(px(52, 52)));
    assert.ok(px(8, 8).every((v) => Math.abs(v - 40) <= 6), String(px(8, 8)));
  });

  test('a thumbnail that cannot be drawn is left out and said, never an error', () => {
    const [, b] = section.methods[0].models;
    // c7 (0.95) is not a case and c2 (0.5) has no heatmap: the next in rank take their places, so
    // the four images that can be drawn are all among the most, and none is left for the least.
    assert.deepEqual(b.most.map((t) => t.imageId), ['c1', 'c4', 'c6', 'c5']);
    assert.deepEqual(b.least.map((t) => t.imageId), []);
    assert.match(b.galleryNote!, /^1 image is not among this report's cases \(c7\); 1 thumbnail could not be drawn \(c2: .*heatmaps\/gradcam\/b\/c2\.png.*\)\.$/);
    const saliency = section.methods[1].models[0];
    assert.deepEqual([saliency.most, saliency.least], [[], []]);
    assert.match(saliency.galleryNote!, /^No gallery: .*explain\/saliency\/a\.csv does not exist/);
  });

  test('families and models compared, one sentence each (hand-written from explain.json)', () => {
    const g = section.methods[0];
    assert.deepEqual(g.families.map((f) => f.sentence), [
      "Heat inside the reference: TII 54.0% vs LMI 42.0% on 5 images (each image: the mean over the family's models); Wilcoxon signed-rank, W = 0, p = 0.063, Holm-adjusted p = 0.063; matched-pairs rank-biserial correlation 1.00.",
      "Heat on type I errors (FP pixels): TII 30.0% vs LMI 20.0% on 5 images (each image: the mean over the family's models); Paired t-test, t = −3.25, p = 3.0e-5, Holm-adjusted p = 6.0e-5; Cohen's d_z −1.45.",
      "Heat on type II errors (FN pixels): TII 0.0% vs LMI 0.0% on 5 images (each image: the mean over the family's models); no test: the values are identical on every image.",
    ]);
    assert.deepEqual(g.families[0], { a: 'TII', b: 'LMI', measure: 'inside_reference', n: 5, meanA: 0.54, meanB: 0.42, meanDifference: 0.12, test: 'Wilcoxon signed-rank', statistic: 0, p: 0.0625, pAdjusted: 0.0625, effectSize: 1, effectName: 'matched-pairs rank-biserial correlation', sentence: g.families[0].sentence });
    assert.deepEqual(g.comparisons.map((c) => c.sentence), ["Heat inside the reference: a vs b, mean difference +12.0 percentage points on 5 images; Paired t-test, t = 2.5, p = 0.067, Holm-adjusted p = 0.067; Cohen's d_z 1.12."]);
    assert.equal(g.comparisonCount, 1);
    assert.deepEqual(g.failures, ['c8 (b): c8.png cannot be decoded [image/unreadable]']);
    assert.equal(g.failureCount, 1);
  });

  test('notes where a run differs from the evaluation: split, models, model files', () => {
    assert.deepEqual(section.methods[0].notes, [
      'The Grad-CAM run of 2026-01-02T03:04:05.000Z was of other models than this evaluation (it lacks c): run `medseg explain --method gradcam` again.',
      "a was explained from another model file than this evaluation ran (sha256 aaaaaaaaaaaa… against bbbbbbbbbbbb…): its heatmaps need not match the evaluation's masks; run `medseg explain --method gradcam` again.",
    ]);
    assert.deepEqual(section.methods[1].notes, [
      'The Saliency run of 2026-01-03T00:00:00.000Z explained the val split; this report evaluates the test split (explain follows evaluation.split).',
      'The Saliency run of 2026-01-03T00:00:00.000Z was of other models than this evaluation (it lacks b, c): run `medseg explain --method saliency` again.',
    ]);
  });

  test('many models × methods: fewer thumbnails per gallery, and the section says so', async () => {
    // Three galleries (Grad-CAM a and b, Saliency a) in a budget of 4 thumbnails: one per gallery.
    const s = (await reportExplainSection(out, SHOWN, { cases, foreground: { kind: 'nonzero' }, budget: 4 }))!;
    assert.equal(s.galleryPerList, 1);
    assert.deepEqual(s.notes, ["3 models × methods: 1 thumbnail per gallery instead of 4, to keep report.html small; the preview shows every image's heatmaps."]);
    assert.deepEqual(s.methods[0].models.map((m) => [m.most.map((t) => t.imageId), m.least.map((t) => t.imageId)]), [
      [['c1'], ['c5']],
      [['c1'], ['c5']],
    ]);
  });

  test('a model that failed as a whole is not "lacking"; a model the evaluation does not have is named', async () => {
    const shown = { ...SHOWN, models: ['a'], modelHashes: { a: HASH_A_EXPLAINED } };
    const s = (await reportExplainSection(out, shown, { cases, foreground: { kind: 'nonzero' }, perList: 1 }))!;
    assert.deepEqual(s.methods[0].notes, ['The Grad-CAM run of 2026-01-02T03:04:05.000Z was of other models than this evaluation (it has b, which this evaluation does not): run `medseg explain --method gradcam` again.']);
  });
});

describe('volumes', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'medseg-explain-volume-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('the thumbnail shows the slice that was explained (the row\'s slice), read alone', async () => {
    // 8 × 8 × 3 CT-like volume: a bright square (1000 HU) on slice 2 only, and its reference there.
    const image = new Int16Array(8 * 8 * 3);
    const mask = new Uint8Array(8 * 8 * 3);
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) [image[2 * 64 + y * 8 + x], mask[2 * 64 + y * 8 + x]] = [1000, 1];
    await writeNifti(join(folder, 'vol.nii.gz'), { width: 8, height: 8, depth: 3, data: image, spacing: [1, 1, 1] });
    await writeNifti(join(folder, 'vol_mask.nii.gz'), { width: 8, height: 8, depth: 3, data: mask, spacing: [1, 1, 1] });
    const out = join(folder, 'out');
    mkdirSync(join(out, 'explain', 'eigencam'), { recursive: true });
    mkdirSync(join(out, 'heatmaps', 'eigencam', 'a'), { recursive: true });
    writeFileSync(join(out, 'heatmaps', 'eigencam', 'a', 'vol.png'), await grey(new Uint8Array(64)));
    writeFileSync(join(out, 'explain', 'eigencam', 'explain.json'), JSON.stringify({ ...GRADCAM, method: 'eigencam', models: { a: GRADCAM.models.a }, comparisons: [], families: [], failures: [] }));
    writeFileSync(join(out, 'explain', 'eigencam', 'a.csv'), `${HEADER}\nvol,test,2,heatmaps/eigencam/a/vol.png,1,16,1,0.8,1,0.2,0,,,,0.6,0.1\n`);
    const volume: DatasetCase = { id: 'vol', image: join(folder, 'vol.nii.gz'), mask: join(folder, 'vol_mask.nii.gz'), labels: {}, predictions: {}, split: 'test' };
    const s = (await reportExplainSection(out, { ...SHOWN, modelHashes: {} }, { cases: [volume], foreground: { kind: 'nonzero' } }))!;
    const [t] = s.methods[0].models[0].most;
    assert.deepEqual([t.imageId, t.slice, t.insideReference], ['vol', 2, 0.8]);
    const { data } = await sharp(Buffer.from(t.src.split(',')[1], 'base64')).raw().toBuffer({ resolveWithObject: true });
    // Slice 2 through its 1st–99th percentile window: the square white, the rest black (slice 0 is all black).
    assert.ok(data[3 * (60 * 120 + 60)] > 240, `centre ${data[3 * (60 * 120 + 60)]}`);
    assert.ok(data[3 * (10 * 120 + 10)] < 15, `corner ${data[3 * (10 * 120 + 10)]}`);
  });
});

describe('reading explain.json files', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'medseg-explain-files-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('no explain.json: no section; a folder explained before per-method files existed: its explain.json', async () => {
    assert.equal(hasExplainResults(folder), false);
    assert.equal(await reportExplainSection(folder, SHOWN, { cases: [], foreground: { kind: 'nonzero' } }), undefined);
    writeFileSync(join(folder, 'explain.json'), JSON.stringify({ ...GRADCAM, method: 'eigencam', families: undefined, comparisons: undefined }));
    assert.equal(hasExplainResults(folder), true);
    const { reports, problems } = await readExplainReports(folder);
    assert.deepEqual(problems, []);
    assert.deepEqual(reports.map((r) => [r.method, r.families, r.comparisons]), [['eigencam', [], []]]);
  });

  test('a file that is JSON but not an explain.json is a problem naming it', async () => {
    writeFileSync(join(folder, 'explain.json'), JSON.stringify({ method: 'gradcam', split: 'test', models: { a: { family: 'x' } } }));
    const s = (await reportExplainSection(folder, SHOWN, { cases: [], foreground: { kind: 'nonzero' } }))!;
    assert.deepEqual(s.methods, []);
    assert.equal(s.problems.length, 1);
    assert.match(s.problems[0], /explain\.json is not an explain\.json written by `medseg explain` \(no known method, split or models\); run `medseg explain` again\./);
  });
});

describe('gallery sizes and ranking', () => {
  test('galleryPerList: four each up to 40 galleries, then fewer, never none', () => {
    assert.equal(galleryPerList(1), 4);
    assert.equal(galleryPerList(40), 4); // 320 / 80
    assert.equal(galleryPerList(41), 3); // floor(320 / 82)
    assert.equal(galleryPerList(300), 1);
    assert.equal(galleryPerList(0), 4);
    assert.equal(galleryPerList(3, 4, 12), 2);
  });

  test('rankByHeatInside keeps bounded lists over a stream', async () => {
    const row = (id: string, share: number | null): ExplainedImage => ({ id, split: 'test', heatmap: '', heat_max: 1, target_pixels: 1, dice: 1, inside_reference: share, inside_prediction: null, inside_fp: null, inside_fn: null, seconds: 0 });
    const rows = Array.from({ length: 1000 }, (_, i) => row(`i${String(i).padStart(4, '0')}`, ((i * 37) % 1000) / 1000));
    rows.push(row('none', null), row('nan', Number.NaN));
    const r = await rankByHeatInside(rows, 3);
    // (i·37) mod 1000 = 999 at i = 27, 998 at 54, 997 at 81; 0 at i = 0, 1 at 973 (37·973 = 36001), 2 at 946, 3 at 919, 4 at 892, 5 at 865.
    assert.deepEqual(r.most.map((x) => x.id), ['i0027', 'i0054', 'i0081']);
    assert.deepEqual(r.least.map((x) => x.id), ['i0000', 'i0973', 'i0946', 'i0919', 'i0892', 'i0865']);
    // Ties by id; the least list holds twice as many (the most among them are skipped when drawn).
    const few = await rankByHeatInside([row('y', 0.5), row('x', 0.5), row('z', 0.2)], 2);
    assert.deepEqual([few.most.map((x) => x.id), few.least.map((x) => x.id)], [['x', 'y'], ['z', 'x', 'y']]);
    assert.deepEqual(await rankByHeatInside(rows, 0), { most: [], least: [] });
  });

  test('explainShownOf reads summary.json as written and as read from disk', () => {
    const shown = explainShownOf({
      experiment: 'e',
      split: 'val',
      methods: { a: { kind: 'model' }, p: { kind: 'model' }, 'fusion:union': { kind: 'fusion' } },
      models: { a: { sha256: 'f'.repeat(64), source: 'a.onnx' }, p: { source: 'preds/{stem}.png' } },
    });
    assert.deepEqual(shown, { experiment: 'e', split: 'val', models: ['a', 'p'], modelHashes: { a: 'f'.repeat(64) } });
    assert.deepEqual(explainShownOf({}), { experiment: '', split: '', models: [], modelHashes: {} });
  });
});
