import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FuzzyGraph } from '../../../../server/src/core/explain/umap/fuzzyGraph';
import { layoutEdges, optimizeLayout } from '../../../../server/src/core/explain/umap/layoutSgd';
import { createRandom } from '../../../../server/src/core/util/random';

describe('layout edges', () => {
  test('both directions in CSR order; weights below max/epochs left out; epochs per sample = max / weight', () => {
    const graph: FuzzyGraph = {
      n: 3,
      rowStart: Int32Array.from([0, 2, 3, 4]),
      cols: Int32Array.from([1, 2, 0, 0]),
      values: Float64Array.from([0.8, 0.004, 0.8, 0.004]),
    };
    const e = layoutEdges(graph, 200); // floor 0.8 / 200 = 0.004: kept (≥)
    assert.deepEqual([...e.head], [0, 0, 1, 2]);
    assert.deepEqual([...e.tail], [1, 2, 0, 0]);
    assert.deepEqual([...e.epochsPerSample], [1, 200, 1, 200]);
    const fewer = layoutEdges(graph, 100); // floor 0.008: the weak edge goes
    assert.deepEqual([...fewer.head], [0, 1]);
  });
});

describe('SGD layout', () => {
  test('two points, one edge, two epochs: the steps by hand (a = b = 1, 4 negatives per sample)', () => {
    const edges = { head: Int32Array.from([0, 1]), tail: Int32Array.from([1, 0]), epochsPerSample: Float64Array.from([1, 1]) };
    const y = Float64Array.from([0, 0, 2, 0]);
    optimizeLayout(y, 2, edges, { a: 1, b: 1, epochs: 2, negativeRate: 4, random: createRandom(7) });

    // By hand. Epoch 0 samples nothing (next sample at epoch 1). Epoch 1: alpha = 1 − 1/2.
    const alpha = 0.5;
    const draws = createRandom(7).fillUint32(new Uint32Array(6)); // 3 negatives per edge sample
    const other = (u: number) => Math.floor((u * 2) / 4294967296);
    const clip = (v: number) => Math.max(-4, Math.min(4, v));
    const p = [0, 0, 2, 0];
    let used = 0;
    for (const [j, k] of [
      [0, 1],
      [1, 0],
    ]) {
      // Attraction: −2ab·d²^(b−1)/(1 + a·d²^b) · (yj − yk), both ends.
      const dx = p[2 * j] - p[2 * k];
      const d2 = dx * dx;
      if (d2 > 0) {
        const g = clip((-2 / (1 + d2)) * dx) * alpha;
        p[2 * j] += g;
        p[2 * k] -= g;
      }
      // Repulsion from (1 − 0.25)/0.25 = 3 random points, summed, head only.
      let push = 0;
      for (let t = 0; t < 3; t++) {
        const o = other(draws[used++]);
        if (o === j) continue;
        const ex = p[2 * j] - p[2 * o];
        const e2 = ex * ex;
        if (e2 > 0) push += clip((2 / ((0.001 + e2) * (1 + e2))) * ex);
      }
      p[2 * j] += push * alpha;
    }
    for (let t = 0; t < 4; t++) assert.ok(Math.abs(y[t] - p[t]) < 1e-12, `coordinate ${t}: ${y[t]} vs ${p[t]}`);
    assert.notDeepEqual([...y], [0, 0, 2, 0]);
  });

  test('the same seed gives the same layout, byte for byte', () => {
    const n = 400;
    const r = createRandom(1);
    const head: number[] = [];
    const tail: number[] = [];
    for (let i = 0; i < n; i++)
      for (const j of [(i + 1) % n, (i + 7) % n]) {
        head.push(i, j);
        tail.push(j, i);
      }
    const edges = { head: Int32Array.from(head), tail: Int32Array.from(tail), epochsPerSample: Float64Array.from(head, () => 1 + r.int(3)) };
    const start = Float64Array.from({ length: 2 * n }, () => 10 * r.next());
    const run = (seed: number) => {
      const y = Float64Array.from(start);
      optimizeLayout(y, n, edges, { a: 1.577, b: 0.895, epochs: 50, random: createRandom(seed) });
      return Buffer.from(y.buffer);
    };
    assert.ok(run(3).equals(run(3)));
    assert.ok(!run(3).equals(run(4)));
  });
});
