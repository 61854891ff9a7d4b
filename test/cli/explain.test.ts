import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { extractReportData } from '../../client/src/dashboard/reportSources';
import type { ReportData } from '../../server/src/protocol/reportData';
import { GraphBuilder } from '../../server/src/core/onnx';
import { runMedseg } from './runCli';

const SIZE = 16;
let dir: string;
const medseg = (...args: string[]) => runMedseg(dir, ...args);
const reportOf = (): ReportData => extractReportData(readFileSync(join(dir, 'out', 'tiny', 'report.html'), 'utf8'))!;

/** logits = 10x − 5 through a ReLU pair (`features`): Grad-CAM puts all the heat on the lesion (see test/core/explain/pipeline.test.ts). */
function model(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('image', ['N', 1, SIZE, SIZE]);
  const a = g.relu(g.conv(x, { weights: [10, -10], shape: [2, 1, 1, 1], bias: [-5, 5] }), 'features');
  g.output(g.conv(a, { weights: [1, -1], shape: [1, 2, 1, 1], name: 'logits' }), ['N', 1, SIZE, SIZE]);
  return g.build();
}

const CONFIG = `name: tiny
dataset:
  images: images/*.png
  masks: masks/{stem}.png
  foreground: 255
models:
  - name: m1
    path: m.onnx
    family: TII
    input: { size: [${SIZE}, ${SIZE}], layout: NCHW, channels: 1, normalize: unit }
    output: { activation: sigmoid, channel: 0, threshold: 0.5 }
  - name: m2
    path: m.onnx
    family: LMI
    input: { size: [${SIZE}, ${SIZE}], layout: NCHW, channels: 1, normalize: unit }
    output: { activation: sigmoid, channel: 0, threshold: 0.5 }
evaluation: { split: all, bootstrap: 50, fusion: [] }
runtime: { provider: cpu, threads: 1 }
output: out
`;

describe('medseg explain and report.html', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-cli-explain-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (let i = 0; i < 5; i++) {
      const image = new Uint8Array(SIZE * SIZE).fill(30);
      const mask = new Uint8Array(SIZE * SIZE);
      for (let y = 3; y < 9 + i; y++) for (let x = 2 + i; x < 9 + i; x++) [image[y * SIZE + x], mask[y * SIZE + x]] = [200, 255];
      const png = (data: Uint8Array) => sharp(Buffer.from(data), { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').png().toBuffer();
      writeFileSync(join(dir, 'images', `case${i}.png`), await png(image));
      writeFileSync(join(dir, 'masks', `case${i}.png`), await png(mask));
    }
    writeFileSync(join(dir, 'm.onnx'), model());
    writeFileSync(join(dir, 'tiny.medseg.yaml'), CONFIG);
    const r = medseg('evaluate', 'tiny.medseg.yaml');
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('redraws the folder\'s report.html with an "Explanations" section', () => {
    assert.equal(reportOf().explain, undefined);
    const r = medseg('explain', 'tiny.medseg.yaml', '--method', 'gradcam', '--images', 'all');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Results: out\/tiny\/ \(explain\.json, explain\/gradcam\/, heatmaps\/gradcam\/\), with its section in report\.html/);
    assert.ok(existsSync(join(dir, 'out', 'tiny', 'explain', 'gradcam', 'explain.json')), 'the method keeps its own explain.json');
    const report = reportOf();
    const gradcam = report.explain!.methods[0];
    assert.deepEqual([gradcam.method, gradcam.split], ['gradcam', 'all']);
    // The heat lies on the lesion only: 100 % inside the reference for every image of both models.
    assert.deepEqual(gradcam.models.map((m) => [m.model, m.family, m.layer, m.layerShape, m.gradient, m.images, m.insideReference.mean]), [
      ['m1', 'TII', 'features', 'Relu · 2×16×16', 'exact', 5, 1],
      ['m2', 'LMI', 'features', 'Relu · 2×16×16', 'exact', 5, 1],
    ]);
    // Five images with equal shares: the most are the first four by id, the least the one left.
    assert.deepEqual(gradcam.models[0].most.map((t) => t.imageId), ['case0', 'case1', 'case2', 'case3']);
    assert.deepEqual(gradcam.models[0].least.map((t) => t.imageId), ['case4']);
    assert.deepEqual(gradcam.families.map((f) => f.sentence), [
      "Heat inside the reference: TII 100.0% vs LMI 100.0% on 5 images (each image: the mean over the family's models); no test: the values are identical on every image.",
      "Heat on type I errors (FP pixels): TII 0.0% vs LMI 0.0% on 5 images (each image: the mean over the family's models); no test: the values are identical on every image.",
      "Heat on type II errors (FN pixels): TII 0.0% vs LMI 0.0% on 5 images (each image: the mean over the family's models); no test: the values are identical on every image.",
    ]);
    assert.deepEqual(gradcam.notes, []);
    assert.equal(report.provenance[0].value, 'medseg evaluate tiny.medseg.yaml && medseg explain tiny.medseg.yaml --method gradcam --images all');
  });

  test('a second method joins the first; evaluate and compare into the folder keep the section', () => {
    const r = medseg('explain', 'tiny.medseg.yaml', '--method', 'eigencam', '--images', '2');
    assert.equal(r.code, 0, r.stderr);
    const explain = reportOf().explain!;
    assert.deepEqual(explain.methods.map((m) => [m.method, m.models.map((x) => x.images)]), [
      ['gradcam', [5, 5]],
      ['eigencam', [2, 2]],
    ]);
    assert.equal(medseg('evaluate', 'tiny.medseg.yaml').code, 0);
    assert.deepEqual(reportOf().explain, explain);
    assert.equal(medseg('compare', join('out', 'tiny')).code, 0);
    assert.deepEqual(reportOf().explain, explain);
  });
});
