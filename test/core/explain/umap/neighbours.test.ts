import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nearestNeighbours } from '../../../../server/src/core/explain/umap/knn';
import { findNeighbours, sampledRecall } from '../../../../server/src/core/explain/umap/neighbours';
import { nnDescent } from '../../../../server/src/core/explain/umap/nnDescent';
import { outOfDistribution } from '../../../../server/src/core/explain/umap/outOfDistribution';
import { createRandom } from '../../../../server/src/core/util/random';

/** Points around 8 centres in d dimensions. */
function clustered(n: number, d: number, seed: number): Float64Array {
  const r = createRandom(seed);
  const centres = Array.from({ length: 8 }, () => Array.from({ length: d }, () => 3 * r.normal()));
  return Float64Array.from({ length: n * d }, (_, i) => centres[Math.floor(i / d) % 8][i % d] + r.normal());
}

/** Brute force: the k nearest others of i among `among` (all when undefined), with their squared distances, ties by index. */
function bruteForce(x: Float64Array, d: number, i: number, k: number, among?: (j: number) => boolean): { j: number; s: number }[] {
  const n = x.length / d;
  const best: { j: number; s: number }[] = [];
  for (let j = 0; j < n; j++) {
    if (j === i || (among && !among(j))) continue;
    let s = 0;
    for (let t = 0; t < d; t++) s += (x[i * d + t] - x[j * d + t]) ** 2;
    if (best.length === k && s >= best[k - 1].s) continue;
    let p = best.length < k ? best.length : k - 1;
    best[p] = { j, s };
    while (p > 0 && best[p - 1].s > s) {
      [best[p - 1], best[p]] = [best[p], best[p - 1]];
      p--;
    }
  }
  return best;
}

describe('exact k-NN', () => {
  test('equals numpy’s k-NN of the fixture (a duplicate pair: ties by index) and a brute force', () => {
    const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'explain', 'umap_reference.json'), 'utf8')).fuzzy as { n: number; k: number; points: number[]; knn_indices: number[]; knn_distances: number[] };
    const fixture = nearestNeighbours(Float64Array.from(ref.points), ref.n, ref.points.length / ref.n, ref.k);
    assert.deepEqual(Array.from(fixture.indices), ref.knn_indices);
    fixture.distances.forEach((v, t) => assert.ok(Math.abs(v - ref.knn_distances[t]) < 1e-12));
    const n = 300;
    const d = 7;
    const x = clustered(n, d, 3);
    const g = nearestNeighbours(x, n, d, 10);
    assert.equal(g.k, 10);
    for (let i = 0; i < n; i++) {
      const want = bruteForce(x, d, i, 9);
      assert.equal(g.indices[i * 10], i);
      assert.equal(g.distances[i * 10], 0);
      want.forEach((w, t) => {
        assert.equal(g.indices[i * 10 + 1 + t], w.j);
        assert.ok(Math.abs(g.distances[i * 10 + 1 + t] - Math.sqrt(w.s)) < 1e-12);
      });
    }
  });
});

describe('NN-descent', () => {
  const n = 2000;
  const d = 16;
  const x = clustered(n, d, 1);

  test('finds at least 95 % of the true 14 nearest others, sorted, with exact distances', () => {
    const { graph, stats } = nnDescent(x, n, d, 14, { seed: 5 });
    let found = 0;
    for (let i = 0; i < n; i++) {
      const want = bruteForce(x, d, i, 14);
      const kth = want[13].s;
      assert.equal(graph.indices[i * 15], i);
      for (let t = 1; t < 15; t++) {
        const j = graph.indices[i * 15 + t];
        let s = 0;
        for (let u = 0; u < d; u++) s += (x[i * d + u] - x[j * d + u]) ** 2;
        assert.ok(Math.abs(graph.distances[i * 15 + t] - Math.sqrt(s)) < 1e-12, 'float64 distance');
        if (t > 1) assert.ok(graph.distances[i * 15 + t] >= graph.distances[i * 15 + t - 1], 'ascending');
        if (s <= kth) found++;
      }
    }
    const recall = found / (n * 14);
    assert.ok(recall >= 0.95, `recall ${recall}`);
    assert.ok(stats.rounds >= 1 && stats.distances < (n * (n - 1)) / 2, `far fewer distances than brute force (${stats.distances})`);
    // The sampled estimate agrees with the full count.
    assert.equal(sampledRecall(x, n, d, graph, n, 0), recall);
  });

  test('the same seed gives the same graph, another seed another', () => {
    const a = nnDescent(x, n, d, 10, { seed: 1 }).graph;
    const b = nnDescent(x, n, d, 10, { seed: 1 }).graph;
    const c = nnDescent(x, n, d, 10, { seed: 2 }).graph;
    assert.deepEqual(a.indices, b.indices);
    assert.deepEqual(a.distances, b.distances);
    assert.notDeepEqual(a.indices, c.indices);
  });

  test('with an accepted subset, every neighbour is accepted and the nearest accepted ones are found', () => {
    const accept = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const { graph } = nnDescent(x, n, d, 5, { seed: 3, accept });
    let found = 0;
    for (let i = 0; i < n; i++) {
      const want = bruteForce(x, d, i, 5, (j) => accept[j] === 1);
      for (let t = 1; t < 6; t++) {
        const j = graph.indices[i * 6 + t];
        assert.equal(accept[j], 1);
        if (graph.distances[i * 6 + t] ** 2 <= want[4].s * (1 + 1e-12)) found++;
      }
    }
    assert.ok(found / (n * 5) >= 0.95, `recall ${found / (n * 5)}`);
  });

  test('findNeighbours: exact below 12,000 points unless asked, NN-descent above with a measured recall', () => {
    const small = findNeighbours(x, n, d, 15, { seed: 0 });
    assert.equal(small.method, 'exact');
    assert.equal(small.recall, undefined);
    const forced = findNeighbours(x, n, d, 15, { seed: 0, search: 'approximate', recallSample: 100 });
    assert.equal(forced.method, 'nn-descent');
    assert.equal(forced.graph.k, 15);
    assert.equal(forced.recallSample, 100);
    assert.ok(forced.recall! >= 0.95 && forced.recall! <= 1);
  });
});

describe('out of distribution, approximate', () => {
  test('the NN-descent search gives the exact k-th training distances and verdicts', () => {
    const n = 2400;
    const d = 8;
    const x = clustered(n, d, 9);
    // A far test point.
    for (let t = 0; t < d; t++) x[(n - 1) * d + t] = 40;
    const train = Array.from({ length: 1600 }, (_, i) => i);
    const test = Array.from({ length: 400 }, (_, i) => n - 1 - i);
    const exact = outOfDistribution(x, d, train, test, { search: 'exact' })!;
    const approx = outOfDistribution(x, d, train, test, { search: 'approximate', seed: 1 })!;
    assert.equal(exact.method, 'exact');
    assert.equal(approx.method, 'nn-descent');
    let same = 0;
    approx.distances.forEach((v, t) => (same += Math.abs(v - exact.distances[t]) < 1e-12 ? 1 : 0));
    assert.ok(same / test.length >= 0.98, `${same} of ${test.length} equal`);
    assert.ok(Math.abs(approx.threshold / exact.threshold - 1) < 0.01);
    assert.equal(approx.flags[0], true);
    assert.ok(approx.flags.filter((f, t) => f !== exact.flags[t]).length <= 2);
  });
});
