import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { mapQuality } from '../../../../server/src/core/explain/umap/quality';

const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'explain', 'umap_reference.json'), 'utf8')).quality as {
  n: number;
  d: number;
  x: number[];
  y: number[];
  k: Record<string, { trustworthiness: number; knn_preservation: number }>;
};

describe('map quality', () => {
  test('trustworthiness and k-NN preservation equal scikit-learn’s (k = 5 and 15)', () => {
    const y = Float64Array.from(ref.y);
    for (const k of [5, 15]) {
      const [q] = mapQuality(Float32Array.from(ref.x), ref.n, ref.d, [y], k);
      assert.ok(Math.abs(q.trustworthiness - ref.k[k].trustworthiness) < 1e-12, `k=${k}: ${q.trustworthiness} vs ${ref.k[k].trustworthiness}`);
      assert.ok(Math.abs(q.knnPreservation - ref.k[k].knn_preservation) < 1e-12, `k=${k}: ${q.knnPreservation} vs ${ref.k[k].knn_preservation}`);
    }
  });

  test('a map that is the data itself scores 1; several maps are scored in one pass', () => {
    const n = 40;
    const x = Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 7));
    const shuffled = Float64Array.from(x).reverse();
    const [same, other] = mapQuality(x, n, 2, [x, shuffled], 5);
    assert.deepEqual(same, { trustworthiness: 1, knnPreservation: 1 });
    assert.ok(other.trustworthiness < 1);
    assert.throws(() => mapQuality(x, n, 2, [x], 20), /k < n\/2/);
  });
});
