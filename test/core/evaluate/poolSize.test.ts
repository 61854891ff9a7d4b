import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { poolSize } from '../../../server/src/core/evaluate/poolSize';

const base = { requested: 0, threads: 0, cases: 1000, window: 1, cores: 16 } as const;

describe('poolSize', () => {
  test('auto: one low-priority worker per core beside CPU inference; else the cores inference leaves, at least one', () => {
    assert.deepEqual(poolSize({ ...base, inference: 'none' }), { workers: 16, perWorker: 2, priority: 'normal' });
    assert.deepEqual(poolSize({ ...base, inference: 'gpu' }), { workers: 15, perWorker: 3, priority: 'normal' });
    // On CPU the workers run below the intra-op threads, so they may fill every core's gaps.
    assert.deepEqual(poolSize({ ...base, inference: 'cpu', threads: 12 }), { workers: 16, perWorker: 3, priority: 'low' });
    assert.deepEqual(poolSize({ ...base, inference: 'cpu' }), { workers: 16, perWorker: 3, priority: 'low' });
    assert.deepEqual(poolSize({ ...base, inference: 'cpu', cores: 2, threads: 1 }), { workers: 2, perWorker: 3, priority: 'low' });
    // At normal priority they take only what the intra-op threads leave, at least one.
    assert.deepEqual(poolSize({ ...base, inference: 'cpu', threads: 12, priority: 'normal' }), { workers: 4, perWorker: 3, priority: 'normal' });
    assert.deepEqual(poolSize({ ...base, inference: 'cpu', priority: 'normal' }), { workers: 1, perWorker: 3, priority: 'normal' });
    // runtime.worker_priority wins.
    assert.equal(poolSize({ ...base, inference: 'cpu', priority: 'normal' }).priority, 'normal');
    assert.equal(poolSize({ ...base, inference: 'none', priority: 'low' }).priority, 'low');
  });

  test('a number or main wins; never more workers than cases', () => {
    assert.deepEqual(poolSize({ ...base, inference: 'cpu', requested: 3 }), { workers: 3, perWorker: 3, priority: 'low' });
    assert.deepEqual(poolSize({ ...base, inference: 'cpu', requested: 'main' }), { workers: 'main', perWorker: 3, priority: 'low' });
    assert.deepEqual(poolSize({ ...base, inference: 'none', cases: 2 }).workers, 2);
    assert.deepEqual(poolSize({ ...base, inference: 'none', cases: 0 }).workers, 1);
  });

  test('GPU windows: enough cases in flight for two windows', () => {
    // Windows of 64 cases on 15 workers: ceil(128 / 15) = 9 each.
    assert.deepEqual(poolSize({ ...base, inference: 'gpu', window: 64 }), { workers: 15, perWorker: 9, priority: 'normal' });
    assert.deepEqual(poolSize({ ...base, inference: 'gpu', window: 64, requested: 'main' }), { workers: 'main', perWorker: 128, priority: 'normal' });
    assert.equal(poolSize({ ...base, inference: 'none', perWorker: 5 }).perWorker, 5);
  });
});
