import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  computeEmbedding,
  defaultEpochs,
  imageFeatures,
  IMAGE_FEATURE_SIDE,
  nearestNeighbours,
  outOfDistribution,
  reduceDimensions,
  runEmbedding,
  subsampleBySplit,
} from '../../../server/src/core/explain';
import type { ImageVolume } from '../../../server/src/core/io/types';
import { createRandom } from '../../../server/src/core/util/random';

/** Points around `clusters` centres in d dimensions (float32 values). */
function clustered(n: number, d: number, clusters: number, seed: number): Float32Array {
  const r = createRandom(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: d }, () => 4 * r.normal()));
  return Float32Array.from({ length: n * d }, (_, i) => centres[Math.floor(i / d) % clusters][i % d] + r.normal());
}

function bruteForceDistances(x: ArrayLike<number>, d: number, i: number, among: readonly number[]): { j: number; dist: number }[] {
  return among
    .filter((j) => j !== i)
    .map((j) => {
      let s = 0;
      for (let t = 0; t < d; t++) s += (x[i * d + t] - x[j * d + t]) ** 2;
      return { j, dist: Math.sqrt(s) };
    })
    .sort((a, b) => a.dist - b.dist);
}

describe('exact k-NN', () => {
  test('itself first, then the k − 1 nearest others, as a full sort finds them', () => {
    const [n, d, k] = [120, 5, 6];
    const x = Float64Array.from(clustered(n, d, 3, 1));
    const g = nearestNeighbours(x, n, d, k);
    const all = Array.from({ length: n }, (_, i) => i);
    assert.equal(g.k, k);
    for (let i = 0; i < n; i++) {
      const want = bruteForceDistances(x, d, i, all).slice(0, k - 1);
      assert.deepEqual(Array.from(g.indices.subarray(i * k, (i + 1) * k)), [i, ...want.map((w) => w.j)]);
      Array.from(g.distances.subarray(i * k + 1, (i + 1) * k)).forEach((dist, t) => assert.ok(Math.abs(dist - want[t].dist) < 1e-12));
      assert.equal(g.distances[i * k], 0);
    }
  });
});

describe('out of distribution', () => {
  test('test points beyond the training images’ 99th percentile of 5-NN distances are flagged', () => {
    const d = 3;
    const r = createRandom(5);
    const train = Array.from({ length: 60 }, () => [r.normal(), r.normal(), r.normal()]);
    const test = [
      [0.1, 0, 0],
      [8, 8, 8],
      [0, -0.3, 0.2],
      [0, 0, 12],
    ];
    const rows = [...train, ...test];
    const x = Float64Array.from(rows.flat());
    const trainIdx = train.map((_, i) => i);
    const testIdx = test.map((_, i) => 60 + i);
    const result = outOfDistribution(x, d, trainIdx, testIdx)!;
    // Reference: leave-one-out 5th-neighbour distances, numpy's linear 99th percentile, by hand.
    const kth = trainIdx.map((i) => bruteForceDistances(x, d, i, trainIdx)[4].dist).sort((a, b) => a - b);
    const pos = (kth.length - 1) * 0.99;
    const threshold = kth[Math.floor(pos)] + (kth[Math.floor(pos) + 1] - kth[Math.floor(pos)]) * (pos - Math.floor(pos));
    assert.ok(Math.abs(result.threshold - threshold) < 1e-12);
    testIdx.forEach((q, t) => assert.ok(Math.abs(result.distances[t] - bruteForceDistances(x, d, q, trainIdx)[4].dist) < 1e-12));
    assert.deepEqual(result.flags, [false, true, false, true]);
    assert.equal(outOfDistribution(x, d, trainIdx.slice(0, 5), testIdx), undefined, 'too few training images');
  });
});

describe('PCA before the neighbour search', () => {
  const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'explain', 'pca_reference.json'), 'utf8')).pca as {
    n: number;
    d: number;
    k: number;
    data: number[];
    scores: number[];
    explained_variance: number;
  };

  test('scores equal numpy’s SVD scores (up to each component’s sign)', () => {
    const { n, d, k } = ref;
    const p = reduceDimensions(Float32Array.from(ref.data), n, d, { dims: k, seed: 3 });
    assert.equal(p.dims, k);
    const scale = Math.max(...ref.scores.map(Math.abs));
    for (let c = 0; c < k; c++) {
      let best = 0;
      for (let i = 0; i < n; i++) if (Math.abs(p.scores[i * k + c]) > Math.abs(p.scores[best * k + c])) best = i;
      const sign = p.scores[best * k + c] < 0 ? -1 : 1;
      for (let i = 0; i < n; i++) assert.ok(Math.abs(sign * p.scores[i * k + c] - ref.scores[i * k + c]) <= 1e-9 * scale, `component ${c}, point ${i}`);
    }
    assert.ok(Math.abs(p.explainedVariance - ref.explained_variance) < 1e-9);
  });

  test('data no wider than the target is only centred', () => {
    const p = reduceDimensions([1, 2, 3, 6], 2, 2);
    assert.deepEqual([...p.scores], [-1, -2, 1, 2]);
  });

  test('above fitRows, components fitted on a sample give the full fit’s scores; the variance is measured on all rows', () => {
    // A fast-decaying spectrum (σ_j = 10 · 0.6^j) in 30 dimensions, 6,000 rows, fitted on 2,000.
    const [rows, d, k] = [6000, 30, 5];
    const r = createRandom(2);
    const big = Float32Array.from({ length: rows * d }, (_, i) => 2 + 10 * 0.6 ** (i % d) * r.normal());
    const full = reduceDimensions(big, rows, d, { dims: k, seed: 3, fitRows: rows });
    const sampled = reduceDimensions(big, rows, d, { dims: k, seed: 3, fitRows: 2000 });
    assert.equal(full.fittedOn, rows);
    assert.equal(sampled.fittedOn, 2000);
    for (let c = 0; c < 3; c++) {
      let dot = 0;
      let nf = 0;
      let ns = 0;
      for (let i = 0; i < rows; i++) {
        dot += full.scores[i * k + c] * sampled.scores[i * k + c];
        nf += full.scores[i * k + c] ** 2;
        ns += sampled.scores[i * k + c] ** 2;
      }
      assert.ok(Math.abs(dot) / Math.sqrt(nf * ns) > 0.999, `component ${c}: |cos| ${Math.abs(dot) / Math.sqrt(nf * ns)}`);
    }
    // The kept share: Σ scores² over all rows / total variance, whichever rows fitted.
    // By hand: the first 5 of 30 variances 100 · 0.36^j hold Σ_{j<5} 0.36^j / Σ_{j<30} 0.36^j of the total.
    const share = (1 - 0.36 ** 5) / (1 - 0.36 ** 30);
    assert.ok(Math.abs(full.explainedVariance - share) < 0.01, `${full.explainedVariance} vs ${share}`);
    assert.ok(Math.abs(sampled.explainedVariance - full.explainedVariance) < 0.001);
  });
});

describe('UMAP embedding', () => {
  const n = 150;
  const d = 8;
  const data = clustered(n, d, 3, 7);
  const base = { data, n, d, neighbors: 10, minDist: 0.1, seed: 11, epochs: 150 };

  test('the epoch schedule: 500 up to 2,500 points … 200 above 7,500; or as asked', () => {
    assert.deepEqual([defaultEpochs(20), defaultEpochs(2500), defaultEpochs(2501), defaultEpochs(5001), defaultEpochs(7501), defaultEpochs(60000)], [500, 500, 400, 300, 200, 200]);
    assert.equal(computeEmbedding({ ...base, data: data.slice(0, 20 * d), n: 20, epochs: undefined }).epochs, 500);
    assert.equal(computeEmbedding(base).epochs, 150);
  });

  test('reproducible byte for byte for a seed, different for another; the worker gives the same map', async () => {
    const a = computeEmbedding(base);
    const b = computeEmbedding(base);
    assert.ok(Buffer.from(a.embedding.buffer).equals(Buffer.from(b.embedding.buffer)));
    const c = computeEmbedding({ ...base, seed: 12 });
    assert.notDeepEqual([...a.embedding], [...c.embedding]);
    const phases = new Set<string>();
    const viaWorker = await runEmbedding(base, { onProgress: (phase) => phases.add(phase) });
    assert.ok(Buffer.from(viaWorker.embedding.buffer).equals(Buffer.from(a.embedding.buffer)));
    assert.deepEqual([...phases].sort(), ['layout', 'neighbours', 'pca']);
    assert.equal(a.neighbours.method, 'exact');
    // The clusters stay apart: every point's nearest map neighbour is from its own cluster.
    let same = 0;
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestDist = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const dd = (a.embedding[2 * i] - a.embedding[2 * j]) ** 2 + (a.embedding[2 * i + 1] - a.embedding[2 * j + 1]) ** 2;
        if (dd < bestDist) [best, bestDist] = [j, dd];
      }
      if (best % 3 === i % 3) same++;
    }
    assert.equal(same, n);
  });

  test('a transferred matrix is handed over, not copied; an abort stops the worker', async () => {
    const input = { ...base, data: clustered(n, d, 3, 7) };
    await runEmbedding(input, { transfer: true });
    assert.equal(input.data.length, 0, 'the buffer went to the worker');
    const controller = new AbortController();
    const p = runEmbedding({ ...base, data: clustered(2000, 8, 3, 1), n: 2000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await assert.rejects(p, /stop/);
  });
});

describe('subsampling above max_points', () => {
  const items = [
    ...Array.from({ length: 60 }, (_, i) => ({ id: `a${String(i).padStart(3, '0')}`, split: 'train' })),
    ...Array.from({ length: 25 }, (_, i) => ({ id: `b${String(i).padStart(3, '0')}`, split: 'val' })),
    ...Array.from({ length: 15 }, (_, i) => ({ id: `c${String(i).padStart(3, '0')}`, split: 'test' })),
  ];
  test('each split keeps its proportional share, seeded, in id order', () => {
    const s = subsampleBySplit(items, 20, 1);
    const count = (split: string) => s.filter((x) => x.split === split).length;
    assert.deepEqual([count('train'), count('val'), count('test')], [12, 5, 3]);
    assert.deepEqual(s.map((x) => x.id), [...s.map((x) => x.id)].sort());
    assert.deepEqual(subsampleBySplit(items, 20, 1), s);
    assert.notDeepEqual(subsampleBySplit(items, 20, 2), s);
    assert.equal(subsampleBySplit(items, 200, 1).length, 100);
  });
  test('largest remainder, ties to the split first in alphabetical order', () => {
    const few = [...items.slice(0, 3), ...items.slice(60, 63), ...items.slice(85, 89)]; // train 3, val 3, test 4
    const s = subsampleBySplit(few, 5, 1); // exact: test 2, train 1.5, val 1.5: the spare place goes to `train`
    const count = (split: string) => s.filter((x) => x.split === split).length;
    assert.deepEqual([count('test'), count('train'), count('val')], [2, 2, 1]);
  });
});

describe('image features', () => {
  test('area averaging to 16×16: 2×2 blocks of one value stay that value; grey fills three channels', () => {
    const side = 32;
    const data = new Uint8Array(side * side);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) data[y * side + x] = ((y >> 1) * 16 + (x >> 1)) % 256;
    const image: ImageVolume = { width: side, height: side, depth: 1, channels: 1, data, bitDepth: 8, spacing: [1, 1, 1], spacingKnown: false, format: 'png' };
    const f = imageFeatures(image);
    const plane = IMAGE_FEATURE_SIDE * IMAGE_FEATURE_SIDE;
    assert.equal(f.length, 3 * plane);
    for (let i = 0; i < plane; i++) {
      assert.ok(Math.abs(f[i] - (i % 256) / 255) < 1e-6, `cell ${i}`);
      assert.equal(f[plane + i], f[i]);
      assert.equal(f[2 * plane + i], f[i]);
    }
  });
  test('fractional cells: a 24-wide RGB image averages 1.5 source pixels per cell with their overlaps; float data is min–max scaled', () => {
    const [w, h] = [24, 16];
    const data = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = c === 0 ? x : c === 1 ? 100 : -x;
    const image: ImageVolume = { width: w, height: h, depth: 1, channels: 3, data, bitDepth: 32, spacing: [1, 1, 1], spacingKnown: false, format: 'nifti' };
    const f = imageFeatures(image);
    // min −23, max 100 over the three channels; cell 1 covers x ∈ [1.5, 3): (0.5·1 + 1·2)/1.5.
    const scaled = (v: number) => (v + 23) / 123;
    assert.ok(Math.abs(f[1] - scaled((0.5 * 1 + 1 * 2) / 1.5)) < 1e-6);
    assert.ok(Math.abs(f[256 + 5] - scaled(100)) < 1e-6);
    assert.ok(Math.abs(f[512 + 1] - scaled(-(0.5 * 1 + 1 * 2) / 1.5)) < 1e-6);
  });
});
