import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeatureMatrix } from '../../../../server/src/core/explain/umap/featureMatrix';

test('rows land in one matrix; unwritten and dropped rows are compacted out in order', () => {
  const m = new FeatureMatrix(5);
  m.set(0, Float32Array.from([1, 2]));
  m.set(2, Float32Array.from([5, 6]));
  m.set(3, Float32Array.from([7, 8]));
  m.set(4, Float32Array.from([9, 10]));
  assert.throws(() => m.set(1, Float32Array.from([1, 2, 3])), /differ in length/);
  const keep = Uint8Array.from([1, 1, 1, 0, 1]);
  const { data, rows, width } = m.take(keep);
  assert.equal(width, 2);
  assert.deepEqual([...rows], [0, 2, 4]);
  assert.deepEqual([...data], [1, 2, 5, 6, 9, 10]);
  assert.equal(new FeatureMatrix(3).take(Uint8Array.from([1, 1, 1])).rows.length, 0);
});
