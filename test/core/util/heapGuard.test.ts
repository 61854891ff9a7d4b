import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { HeapGuard } from '../../../server/src/core/util/heapGuard';

test('HeapGuard collects once the heap has grown past its slack, and not before', () => {
  const guard = new HeapGuard(64 * 1024 * 1024);
  guard.check();
  assert.equal(guard.collections, 0, 'no growth yet: no collection');
  // ~100 MB of short-lived objects (JS heap, not ArrayBuffers), dropped at once.
  let garbage: number[][] | undefined = Array.from({ length: 1000 }, (_, i) => Array.from({ length: 12_000 }, (__, j) => i + j + 0.5));
  const grown = getHeapStatistics().used_heap_size;
  garbage = undefined;
  assert.equal(garbage, undefined);
  guard.check();
  assert.equal(guard.collections, 1);
  assert.ok(getHeapStatistics().used_heap_size < grown - 64 * 1024 * 1024, 'the collection freed the dropped objects');
  guard.check();
  assert.equal(guard.collections, 1, 'right after a collection the heap is at its baseline');
});
