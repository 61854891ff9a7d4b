import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ModelRunner, WorkerModelRunner, workerScriptPath } from '../../../server/src/core/inference';
import { image, lcg, modelConfig, runtime } from './support';

const unet = join(__dirname, '..', '..', 'fixtures', 'onnx', 'tiny_unet.onnx');

describe('WorkerModelRunner', () => {
  test('the worker entry resolves to the TypeScript source when not bundled', () => {
    assert.equal(workerScriptPath(), join(__dirname, '..', '..', '..', 'server', 'src', 'core', 'inference', 'worker.ts'));
  });

  test('gives the same predictions as the in-process runner (2D image and a volume)', async () => {
    const config = modelConfig({ size: [32, 32], channels: 3, normalize: { kind: 'imagenet' } }, { activation: 'softmax', channel: 1 }, { path: unet });
    const rand = lcg(11);
    const rgb = image(40, 36, 3, Uint8Array.from({ length: 40 * 36 * 3 }, () => Math.floor(rand() * 256)));
    const vol = image(20, 24, 1, Int16Array.from({ length: 20 * 24 * 5 }, () => Math.floor(rand() * 2000) - 1000), 5);
    const local = await ModelRunner.create(config, runtime);
    const remote = await WorkerModelRunner.create(config, runtime);
    try {
      assert.equal(remote.provider, 'cpu');
      assert.deepEqual(remote.input, local.input);
      assert.equal(remote.batchSize, local.batchSize);
      assert.deepEqual(remote.info, local.info);
      for (const [img, ref] of [[rgb, { width: 50, height: 30 }], [vol, undefined]] as const) {
        const a = await local.predict(img, ref);
        const b = await remote.predict(img, ref);
        assert.equal(b.prob.length, a.prob.length);
        let maxDiff = 0;
        for (let i = 0; i < a.prob.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.prob[i] - b.prob[i]));
        assert.ok(maxDiff <= 1e-6, `max difference ${maxDiff}`);
        assert.deepEqual(b.mask, a.mask);
      }
    } finally {
      await local.dispose();
      await remote.dispose();
    }
    await assert.rejects(remote.run([new Float32Array(3 * 32 * 32)]), /disposed/);
  });

  test('errors cross the thread boundary as InputErrors', async () => {
    await assert.rejects(WorkerModelRunner.create(modelConfig({ size: [64, 64], channels: 3 }, {}, { path: unet }), runtime), (err: unknown) => {
      assert.equal((err as Error).name, 'InputError');
      assert.equal((err as { file?: string }).file, unet);
      assert.match((err as Error).message, /`size: \[64, 64\]`/);
      return true;
    });
    const config = modelConfig({ size: [32, 32], channels: 3 }, {}, { path: unet });
    const remote = await WorkerModelRunner.create(config, runtime);
    try {
      await assert.rejects(remote.run([new Float32Array(5)]), /an input has 5 values/);
      // Still usable after a failed request.
      assert.equal((await remote.run([new Float32Array(3 * 32 * 32)])).length, 1);
    } finally {
      await remote.dispose();
    }
  });
});
