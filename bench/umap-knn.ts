/**
 * The k-NN step of the UMAP map three ways (issue 19: "consider running the distance blocks as an
 * ONNX graph — measure before choosing"), on the 32 PCA dimensions of bench/umap.ts's clustered
 * features, k = 15 (the point itself included):
 *
 * - exact, JavaScript: the engine's brute force (n²/2 distances, partial distance search);
 * - exact, onnxruntime: blocks of 1,024 query rows through one graph, Gemm(Q, Xᵀ, ‖x‖², α = −2)
 *   then TopK(k, smallest), on onnxruntime-node's CPU provider with 2 threads (the graph is
 *   written here with onnx-proto);
 * - NN-descent: the engine's approximate search (what it uses above 12,000 points).
 *
 * Wall and CPU seconds (CPU includes onnxruntime's threads), and the recall of each against the
 * exact JavaScript graph where that ran, else against brute force on 1,000 seeded points.
 *
 *   node --import tsx bench/umap-knn.ts [points=10000,60000] [--exact-js-max 20000]
 */
import { cpus, loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { nearestNeighbours } from '../server/src/core/explain/umap/knn';
import type { NeighbourGraph } from '../server/src/core/explain/umap/neighbourHeaps';
import { findNeighbours, sampledRecall } from '../server/src/core/explain/umap/neighbours';
import { reduceDimensions } from '../server/src/core/explain/umap/pca';
import { createRandom } from '../server/src/core/util/random';

const K = 15;
const BLOCK = 1024;

function clustered(n: number, d: number, seed: number): Float32Array {
  const r = createRandom(seed);
  const centres = Array.from({ length: 12 }, () => Array.from({ length: d }, () => 3 * r.normal()));
  return Float32Array.from({ length: n * d }, (_, i) => centres[Math.floor(i / d) % 12][i % d] + r.normal());
}

/** D = ‖x‖² − 2·Q·Xᵀ (‖q‖² is the same along a row, so the order is the distances'), then the k smallest. */
function knnGraphModel(d: number, k: number): Uint8Array {
  const A = onnx.AttributeProto.AttributeType;
  const input = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((v) => (typeof v === 'number' ? { dimValue: v } : { dimParam: v })) } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'knn-block',
      input: [input('Q', ['B', d]), input('XT', [d, 'N']), input('XN', [1, 'N'])],
      output: [{ name: 'values' }, { name: 'indices' }],
      initializer: [{ name: 'K', dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [k] }],
      node: [
        { opType: 'Gemm', input: ['Q', 'XT', 'XN'], output: ['D'], attribute: [{ name: 'alpha', type: A.FLOAT, f: -2 }, { name: 'beta', type: A.FLOAT, f: 1 }] },
        { opType: 'TopK', input: ['D', 'K'], output: ['values', 'indices'], attribute: [{ name: 'largest', type: A.INT, i: 0 }, { name: 'sorted', type: A.INT, i: 1 }] },
      ],
    },
  }).finish();
}

async function onnxExact(x: Float64Array, n: number, d: number): Promise<NeighbourGraph> {
  const xf = Float32Array.from(x);
  const xt = new Float32Array(n * d);
  const norms = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      xt[j * n + i] = xf[i * d + j];
      s += xf[i * d + j] ** 2;
    }
    norms[i] = s;
  }
  const session = await ort.InferenceSession.create(knnGraphModel(d, K), { intraOpNumThreads: 2, graphOptimizationLevel: 'all', executionProviders: ['cpu'] });
  const XT = new ort.Tensor('float32', xt, [d, n]);
  const XN = new ort.Tensor('float32', norms, [1, n]);
  const indices = new Int32Array(n * K);
  const distances = new Float64Array(n * K);
  for (let b = 0; b < n; b += BLOCK) {
    const m = Math.min(BLOCK, n - b);
    const out = await session.run({ Q: new ort.Tensor('float32', xf.subarray(b * d, (b + m) * d), [m, d]), XT, XN });
    const idx = out.indices.data as BigInt64Array;
    for (let r = 0; r < m; r++) {
      const i = b + r;
      // The point itself is its own nearest (distance 0) unless a duplicate ties: put it first.
      let t = 1;
      indices[i * K] = i;
      for (let c = 0; c < K && t < K; c++) {
        const j = Number(idx[r * K + c]);
        if (j === i) continue;
        indices[i * K + t] = j;
        let s = 0;
        for (let u = 0; u < d; u++) s += (x[i * d + u] - x[j * d + u]) ** 2;
        distances[i * K + t++] = Math.sqrt(s);
      }
    }
  }
  await session.release();
  return { n, k: K, indices, distances };
}

/** Share of `truth`'s neighbours (the point itself excluded) that `found` has too. */
function recallAgainst(found: NeighbourGraph, truth: NeighbourGraph): number {
  let hit = 0;
  for (let i = 0; i < found.n; i++) {
    const want = new Set(truth.indices.subarray(i * K + 1, (i + 1) * K));
    for (let t = 1; t < K; t++) if (want.has(found.indices[i * K + t])) hit++;
  }
  return hit / (found.n * (K - 1));
}

async function timed<T>(f: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const value = await f();
  const u = process.cpuUsage(c);
  return { value, wall: (performance.now() - t) / 1000, cpu: (u.user + u.system) / 1e6 };
}

async function main(): Promise<void> {
  const points = (process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : '10000,60000').split(',').map(Number);
  const i = process.argv.indexOf('--exact-js-max');
  const exactJsMax = i >= 0 ? Number(process.argv[i + 1]) : 20000;
  process.stdout.write(`# UMAP k-NN · ${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · onnxruntime-node ${ort.env.versions.node ?? ''}\n\n`);
  process.stdout.write('| points | method | wall | CPU | recall | load |\n|---:|---|---:|---:|---:|---|\n');
  for (const n of points) {
    const pca = reduceDimensions(clustered(n, 256, 1), n, 256, { seed: 0 });
    const [x, d] = [pca.scores, pca.dims];
    const row = (method: string, r: { wall: number; cpu: number }, recall: string) =>
      process.stdout.write(`| ${n.toLocaleString('en')} | ${method} | ${r.wall.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${recall} | ${loadavg()[0].toFixed(1)} |\n`);
    const js = n <= exactJsMax ? await timed(() => nearestNeighbours(x, n, d, K)) : undefined;
    if (js) row('exact, JavaScript (1 thread)', js, '1 (reference)');
    const onnxRun = await timed(() => onnxExact(x, n, d));
    row('exact, onnxruntime Gemm + TopK (2 threads)', onnxRun, (js ? recallAgainst(onnxRun.value, js.value) : sampledRecall(x, n, d, onnxRun.value, 1000, 5)).toFixed(4));
    const nnd = await timed(() => findNeighbours(x, n, d, K, { seed: 1, search: 'approximate' }));
    row('NN-descent (1 thread)', nnd, (js ? recallAgainst(nnd.value.graph, js.value) : sampledRecall(x, n, d, nnd.value.graph, 1000, 5)).toFixed(4));
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
