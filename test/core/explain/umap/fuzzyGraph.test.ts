import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fuzzySimplicialSet, smoothKnnDistances } from '../../../../server/src/core/explain/umap/fuzzyGraph';
import type { NeighbourGraph } from '../../../../server/src/core/explain/umap/neighbourHeaps';

const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'explain', 'umap_reference.json'), 'utf8')).fuzzy as {
  n: number;
  k: number;
  knn_indices: number[];
  knn_distances: number[];
  rho: number[];
  sigma: number[];
  rows: number[];
  cols: number[];
  values: number[];
};

const graph: NeighbourGraph = { n: ref.n, k: ref.k, indices: Int32Array.from(ref.knn_indices), distances: Float64Array.from(ref.knn_distances) };

describe('fuzzy simplicial set', () => {
  test('ρ and σ per point equal the paper’s definitions computed with numpy (a duplicate pair included)', () => {
    const s = smoothKnnDistances(graph);
    for (let i = 0; i < ref.n; i++) {
      assert.ok(Math.abs(s.rhos[i] - ref.rho[i]) < 1e-12, `rho ${i}`);
      // Bisection stops within 1e-5 of the target sum: σ agrees to that precision, not to the bit.
      assert.ok(Math.abs(s.sigmas[i] / ref.sigma[i] - 1) < 1e-4, `sigma ${i}: ${s.sigmas[i]} vs ${ref.sigma[i]}`);
    }
  });

  test('the symmetric union w + w′ − w·w′ holds the reference’s entries, both directions, columns ascending', () => {
    const g = fuzzySimplicialSet(graph);
    const want = new Map<string, number>();
    ref.rows.forEach((r, t) => want.set(`${r},${ref.cols[t]}`, ref.values[t]));
    assert.equal(g.cols.length, want.size);
    for (let i = 0; i < ref.n; i++) {
      for (let t = g.rowStart[i]; t < g.rowStart[i + 1]; t++) {
        const j = g.cols[t];
        if (t > g.rowStart[i]) assert.ok(g.cols[t - 1] < j, `row ${i} sorted`);
        const w = want.get(`${i},${j}`);
        assert.ok(w !== undefined, `entry ${i},${j} not in the reference`);
        assert.ok(Math.abs(g.values[t] - w) < 1e-5, `entry ${i},${j}: ${g.values[t]} vs ${w}`);
      }
    }
  });

  test('by hand: two points that are each other’s only neighbour get membership 1 both ways', () => {
    const two: NeighbourGraph = { n: 3, k: 2, indices: Int32Array.from([0, 1, 1, 0, 2, 1]), distances: Float64Array.from([0, 2, 0, 2, 0, 5]) };
    const g = fuzzySimplicialSet(two);
    // 0↔1: both rows have their nearest at ρ, so w = w′ = 1 and the union is 1; 2→1 only: w = 1 (d = ρ).
    assert.deepEqual(Array.from(g.rowStart), [0, 1, 3, 4]);
    assert.deepEqual(Array.from(g.cols), [1, 0, 2, 1]);
    assert.deepEqual(Array.from(g.values), [1, 1, 1, 1]);
  });
});
