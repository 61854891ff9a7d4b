import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { InputError } from '../../../server/src/core/findings';
import { ModelRunner } from '../../../server/src/core/inference';
import { image, linearModel, modelConfig, nonFiniteModel, runtime } from './support';

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
}

const tmp = mkdtempSync(join(tmpdir(), 'medseg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function modelFile(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

const fixtures = join(__dirname, '..', '..', 'fixtures', 'onnx');
const readF32 = (name: string) => {
  const b = readFileSync(join(fixtures, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

describe('ModelRunner', () => {
  test('1×1 conv (w = 2, b = −1) + sigmoid: exact probabilities and mask after pre/postprocessing', async () => {
    const path = modelFile('linear.onnx', linearModel(1, ['N', 1, 2, 3], [2], -1));
    const runner = await ModelRunner.create(modelConfig({ size: [2, 3] }, { threshold: 0.5 }, { path }), runtime);
    try {
      assert.equal(runner.provider, 'cpu');
      // Grey 8-bit → x = v/255 = 0, .2, .4, .6, .8, 1 → logits 2x − 1 = −1, −.6, −.2, .2, .6, 1.
      const img = image(3, 2, 1, Uint8Array.from([0, 51, 102, 153, 204, 255]));
      const { prob, mask, width, height, depth } = await runner.predict(img, { width: 3, height: 2 });
      assert.deepEqual([width, height, depth], [3, 2, 1]);
      // σ(−1), σ(−0.6), σ(−0.2), σ(0.2), σ(0.6), σ(1), by hand.
      assertClose(prob, [0.2689414213699951, 0.35434369377420455, 0.45016600268752216, 0.549833997312478, 0.6456563062257954, 0.7310585786300049]);
      assert.deepEqual([...mask], [0, 0, 0, 1, 1, 1]);
    } finally {
      await runner.dispose();
    }
  });

  test('RGB with ImageNet normalisation through a 3-weight conv', async () => {
    const w = [0.5, -1, 2];
    const b = 0.1;
    const path = modelFile('rgb.onnx', linearModel(3, ['N', 3, 1, 2], w, b));
    const runner = await ModelRunner.create(modelConfig({ size: [1, 2], channels: 3, normalize: { kind: 'imagenet' } }, { activation: 'sigmoid' }, { path }), runtime);
    const px = [[10, 100, 200], [255, 0, 51]];
    const { prob } = await runner.predict(image(2, 1, 3, Uint8Array.from(px.flat())));
    await runner.dispose();
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const expected = px.map((p) => 1 / (1 + Math.exp(-(p.reduce((s, v, c) => s + w[c] * ((v / 255 - mean[c]) / std[c]), 0) + b))));
    assertClose(prob, expected, 1e-5);
  });

  test('resizes to the model size and back to the reference size (4×4 → 2×2 → 4×4)', async () => {
    const path = modelFile('identity.onnx', linearModel(1, ['N', 1, 2, 2], [1], 0));
    const runner = await ModelRunner.create(modelConfig({ size: [2, 2] }, { activation: 'none', threshold: 0.3 }, { path }), runtime);
    const v = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];
    const { prob, mask } = await runner.predict(image(4, 4, 1, Uint8Array.from(v)), { width: 4, height: 4 });
    await runner.dispose();
    // Down: means of 2×2 blocks. Up: per axis (q0, ¾q0+¼q1, ¼q0+¾q1, q1).
    const q = [[25, 45], [105, 125]].map((r) => r.map((x) => x / 255));
    const up = (a: number, c: number) => [a, 0.75 * a + 0.25 * c, 0.25 * a + 0.75 * c, c];
    const rows = [0, 1].map((y) => up(q[y][0], q[y][1]));
    const expected = [0, 1, 2, 3].flatMap((yy) => [0, 1, 2, 3].map((xx) => up(rows[0][xx], rows[1][xx])[yy]));
    assertClose(prob, expected, 1e-6);
    assert.deepEqual([...mask], expected.map((p) => (p >= 0.3 ? 1 : 0)));
  });

  test('a volume runs slice by slice in batches; progress is reported', async () => {
    const path = modelFile('hu.onnx', linearModel(1, ['N', 1, 1, 2], [0.01], -1));
    const runner = await ModelRunner.create(modelConfig({ size: [1, 2], normalize: { kind: 'explicit', mean: [0], std: [1] } }, {}, { path }), { ...runtime, batch: 2 });
    const hu = [-1000, 40, 150, 90, 700, 100];
    const progress: number[][] = [];
    const { prob, mask, depth } = await runner.predict(image(2, 1, 1, Int16Array.from(hu), 3), undefined, { onProgress: (d, t) => progress.push([d, t]) });
    await runner.dispose();
    assert.equal(depth, 3);
    assertClose(prob, hu.map((v) => 1 / (1 + Math.exp(-(0.01 * v - 1)))), 1e-6);
    assert.deepEqual([...mask], [0, 0, 1, 0, 1, 1]);
    assert.deepEqual(progress, [[2, 3], [3, 3]]);
  });

  test('a graph with a fixed batch runs at that batch, padding the last one', async () => {
    const one = modelFile('batch1.onnx', linearModel(1, [1, 1, 1, 2], [1], 0));
    const r1 = await ModelRunner.create(modelConfig({ size: [1, 2], normalize: { kind: 'explicit', mean: [0], std: [1] } }, { activation: 'none' }, { path: one }), { ...runtime, batch: 8 });
    assert.equal(r1.batchSize, 1);
    const p1 = await r1.predict(image(2, 1, 1, Float32Array.from([1, 2, 3, 4, 5, 6]), 3));
    await r1.dispose();
    assertClose(p1.prob, [1, 2, 3, 4, 5, 6]);
    const two = modelFile('batch2.onnx', linearModel(1, [2, 1, 1, 2], [1], 0));
    const r2 = await ModelRunner.create(modelConfig({ size: [1, 2] }, { activation: 'none' }, { path: two }), runtime);
    const out = await r2.run([Float32Array.from([1, 2]), Float32Array.from([3, 4]), Float32Array.from([5, 6])]);
    await r2.dispose();
    assert.deepEqual(out.map((o) => [...o]), [[1, 2], [3, 4], [5, 6]]);
  });

  test('reproduces PyTorch on a tiny U-Net it exported (within 1e-4), logits and softmax', async () => {
    const meta = JSON.parse(readFileSync(join(fixtures, 'tiny_unet.json'), 'utf8'));
    const x = readF32('tiny_unet_input.f32');
    const logits = readF32('tiny_unet_logits.f32');
    const softmax1 = readF32('tiny_unet_softmax1.f32');
    const [n, c, h, w] = meta.input_shape;
    const samples = [0, 1].map((k) => x.slice(k * c * h * w, (k + 1) * c * h * w));
    const path = join(fixtures, 'tiny_unet.onnx');
    const input = { size: [h, w] as [number, number], channels: 3 as const };
    const plane = h * w;
    for (const channel of [0, 1]) {
      const runner = await ModelRunner.create(modelConfig(input, { activation: 'none', channel }, { path }), { ...runtime, batch: n });
      const out = await runner.run(samples.map((s) => s.slice()));
      await runner.dispose();
      out.forEach((o, k) => assertClose(o, logits.subarray((k * 2 + channel) * plane, (k * 2 + channel + 1) * plane), 1e-4));
    }
    const runner = await ModelRunner.create(modelConfig(input, { activation: 'softmax', channel: 1 }, { path }), { ...runtime, batch: 1 });
    const out = await runner.run(samples);
    await runner.dispose();
    assertClose([...out[0], ...out[1]], softmax1, 1e-5);
  });

  test('NaN or infinite scores are an InputError naming the model and the image', async () => {
    const path = modelFile('nan.onnx', nonFiniteModel(['N', 1, 2, 2]));
    const runner = await ModelRunner.create(modelConfig({ size: [2, 2] }, {}, { path, name: 'unstable' }), runtime);
    await assert.rejects(runner.predict(image(2, 2, 1, new Uint8Array(4)), undefined, { imageName: 'case_7' }), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.file, 'case_7');
      assert.equal(err.code, 'model/non-finite-output');
      assert.match(err.message, /^Model `unstable` produced NaN or infinite scores for image case_7\./);
      return true;
    });
    await assert.rejects(runner.predict(image(2, 2, 1, new Uint8Array(12), 3), undefined, { imageName: 'vol' }), /for image vol \(slices 0–1\)/);
    await runner.dispose();
  });

  test('bad model files and config mismatches are InputErrors naming the file', async () => {
    const bytes = readFileSync(join(fixtures, 'tiny_unet.onnx'));
    const truncated = modelFile('truncated.onnx', bytes.subarray(0, 5000));
    await assert.rejects(ModelRunner.create(modelConfig({}, {}, { path: truncated }), runtime), { name: 'InputError', file: truncated, code: 'model/unreadable', message: /is not a readable ONNX model: .*truncated/ });
    const missing = join(tmp, 'missing.onnx');
    await assert.rejects(ModelRunner.create(modelConfig({}, {}, { path: missing }), runtime), { name: 'InputError', file: missing, code: 'model/missing-file' });
    const path = join(fixtures, 'tiny_unet.onnx');
    await assert.rejects(ModelRunner.create(modelConfig({ size: [64, 64], channels: 1 }, {}, { path }), runtime), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.file, path);
      assert.match(err.message, /`size: \[64, 64\]`/);
      assert.match(err.message, /`channels: 1`/);
      return true;
    });
  });

  test('honours an aborted signal; a disposed runner refuses to run', async () => {
    const path = modelFile('abort.onnx', linearModel(1, ['N', 1, 1, 1], [1], 0));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(ModelRunner.create(modelConfig({ size: [1, 1] }, {}, { path }), runtime, controller.signal), { name: 'AbortError' });
    const runner = await ModelRunner.create(modelConfig({ size: [1, 1] }, {}, { path }), runtime);
    await assert.rejects(runner.predict(image(1, 1, 1, new Uint8Array(1)), undefined, { signal: controller.signal }), { name: 'AbortError' });
    await runner.dispose();
    await assert.rejects(runner.run([new Float32Array(1)]), /disposed/);
  });
});
