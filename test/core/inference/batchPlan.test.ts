import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ASSUMED_GPU_FREE_BYTES, MAX_AUTO_GPU_BATCH, planBatches } from '../../../server/src/core/inference/batchPlan';
import { parseNvidiaSmiFree } from '../../../server/src/core/inference/deviceMemory';

const MB = 1024 ** 2;
const GB = 1024 ** 3;
const base = { requested: 'auto' as const, withinCase: 8, volumes: false, models: 3 };

describe('planBatches', () => {
  test('CPU, auto: each case alone, a volume in slices of runtime.batch', () => {
    assert.deepEqual(planBatches({ ...base, provider: 'cpu' }), { window: 1, chunk: 8, reason: 'CPU: each case runs alone (batching does not raise CPU throughput)' });
  });

  test('GPU, auto: half the free memory shared by the models, over one sample’s activations, at most 64', () => {
    // 0.5 · 8 GiB / 2 models = 2 GiB; 2 GiB / 300 MB = 6.8 → 6 images per run.
    const small = planBatches({ ...base, provider: 'webgpu', models: 2, sampleBytes: 300 * MB, deviceFreeBytes: 8 * GB });
    assert.equal(small.chunk, 6);
    assert.equal(small.window, 6);
    assert.equal(small.reason, 'webgpu: 300.0 MB of activations per sample, 8192 MB free, 50 % shared by 2 model(s)');
    // An H100's 80 GB with a 60 MB U-Net: 0.5 · 80 GiB / 3 / 60 MB = 227 → capped.
    const big = planBatches({ ...base, provider: 'cuda', sampleBytes: 60 * MB, deviceFreeBytes: 80 * GB });
    assert.equal(big.chunk, MAX_AUTO_GPU_BATCH);
    assert.match(big.reason, /\(at most 64\)$/);
    // Volumes: windows of one case, slices batched by memory.
    assert.deepEqual([planBatches({ ...base, provider: 'cuda', volumes: true, sampleBytes: 60 * MB, deviceFreeBytes: 80 * GB }).window], [1]);
    // A sample larger than the budget still runs, alone.
    assert.equal(planBatches({ ...base, provider: 'webgpu', sampleBytes: 8 * GB, deviceFreeBytes: 8 * GB }).chunk, 1);
  });

  test('GPU memory that cannot be read: a small GPU is assumed, and said', () => {
    const p = planBatches({ ...base, provider: 'webgpu', models: 1, sampleBytes: 100 * MB });
    assert.equal(p.chunk, Math.floor((0.5 * ASSUMED_GPU_FREE_BYTES) / (100 * MB)));
    assert.match(p.reason, /2048 MB assumed free \(the GPU's memory could not be read\)/);
  });

  test('a number or a fixed graph batch wins on any provider', () => {
    assert.deepEqual(planBatches({ ...base, provider: 'cpu', requested: 4 }), { window: 4, chunk: 4, reason: 'runtime.case_batch: 4' });
    assert.deepEqual(planBatches({ ...base, provider: 'cpu', requested: 4, volumes: true }).window, 1);
    assert.deepEqual(planBatches({ ...base, provider: 'webgpu', fixedBatch: 2, sampleBytes: MB, deviceFreeBytes: GB }), { window: 2, chunk: 2, reason: "the graph's batch is fixed at 2" });
    assert.deepEqual(planBatches({ ...base, provider: 'cpu', fixedBatch: 2 }).window, 1);
  });
});

describe('parseNvidiaSmiFree', () => {
  test('MiB per GPU, one per line: the least free one, in bytes', () => {
    assert.equal(parseNvidiaSmiFree('81037\n'), 81037 * MB);
    assert.equal(parseNvidiaSmiFree('81037\n 4096\n'), 4096 * MB);
    assert.equal(parseNvidiaSmiFree('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n'), undefined);
    assert.equal(parseNvidiaSmiFree(''), undefined);
  });
});
