/**
 * UMAP at the seed's scale (issue 19): `computeEmbedding` on synthetic features (256-d as in the
 * issue's table, 15 neighbours, min_dist 0.1, seed 0), the engine's implementation against the one
 * before issue 19 (its `server/src/core` extracted from git at the baseline commit into
 * bench/.data/), each run in its own process so that its peak RSS is its own. Then, at the quality
 * size, trustworthiness and k-NN preservation (k = 15, scikit-learn's definition, on the input
 * features) of both maps, and the recall of the approximate k-NN graph against brute force on
 * 1,000 seeded points (in a process of its own, so it does not add to the timed runs).
 *
 * Data: `clustered` (12 Gaussian clusters, the generator of bench/explain.ts: the table;
 * within a cluster the points are isotropic noise, so no map keeps their neighbours and k-NN
 * preservation is near chance for any method) and `manifold` (a noisy swiss roll, a 2-D sheet,
 * mapped into 256-d by a seeded rotation: neighbours a map can keep).
 *
 *   node --import tsx bench/umap.ts [--points 10000,60000] [--dims 256] [--quality 10000]
 *                                   [--data clustered,manifold] [--baseline <commit>|none]
 *
 * Rows: `before` (umap-js with exact k-NN), `now` (NN-descent above 12,000 points, flat layout),
 * `now + OOD` (the same with a 70 % train / 15 % test split, so the out-of-distribution test runs
 * too). Times are wall seconds of each phase as the engine measures them; CPU is the process's
 * user + system time; the machine's load average is printed before and after each run, because
 * the development machine is shared and wall times on it are "loaded".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mapQuality } from '../server/src/core/explain/umap/quality';
import { createRandom } from '../server/src/core/util/random';

/** The last commit with the umap-js implementation (before issue 19). */
const BASELINE_COMMIT = 'dab2e7b';
const root = join(__dirname, '..');
const dataDir = join(__dirname, '.data', 'umap');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

type DataKind = 'clustered' | 'manifold';

/** bench/explain.ts's generator: 12 centres at 3σ, unit noise. */
function clustered(n: number, d: number, seed: number): Float32Array {
  const r = createRandom(seed);
  const centres = Array.from({ length: 12 }, () => Array.from({ length: d }, () => 3 * r.normal()));
  return Float32Array.from({ length: n * d }, (_, i) => centres[Math.floor(i / d) % 12][i % d] + r.normal());
}

/** A swiss roll (t ∈ [1.5π, 4.5π], height 0 … 20), noise 0.3, rotated into d dimensions by a seeded orthonormal map. */
function manifold(n: number, d: number, seed: number): Float32Array {
  const r = createRandom(seed);
  // Three orthonormal directions in d dimensions (Gram–Schmidt on Gaussian vectors).
  const basis: Float64Array[] = [];
  for (let k = 0; k < 3; k++) {
    const v = Float64Array.from({ length: d }, () => r.normal());
    for (const b of basis) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += v[j] * b[j];
      for (let j = 0; j < d; j++) v[j] -= dot * b[j];
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    for (let j = 0; j < d; j++) v[j] /= norm;
    basis.push(v);
  }
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const t = 1.5 * Math.PI * (1 + 2 * r.next());
    const p = [t * Math.cos(t), 20 * r.next(), t * Math.sin(t)];
    for (let j = 0; j < d; j++) out[i * d + j] = p[0] * basis[0][j] + p[1] * basis[1][j] + p[2] * basis[2][j] + 0.3 * r.normal();
  }
  return out;
}

function generate(kind: DataKind, n: number, d: number): Float32Array {
  return kind === 'manifold' ? manifold(n, d, 1) : clustered(n, d, 1);
}

type Impl = 'before' | 'now' | 'now+ood' | 'recall';

interface ChildResult {
  impl: Impl;
  data: DataKind;
  n: number;
  d: number;
  seconds: Record<string, number>;
  wall: number;
  cpu: number;
  rssMb: number;
  epochs: number;
  neighbours?: { method: string; recall?: number; recallSample?: number };
  load: [number, number];
}

const load1 = () => Number(loadavg()[0].toFixed(1));

async function child(impl: Impl, kind: DataKind, n: number, d: number, out: string, baselineDir: string): Promise<void> {
  const loadStart = load1();
  const data = generate(kind, n, d);
  if (impl === 'recall') {
    const { reduceDimensions } = await import('../server/src/core/explain/umap/pca');
    const { findNeighbours, sampledRecall } = await import('../server/src/core/explain/umap/neighbours');
    const { deriveSeed } = await import('../server/src/core/util/random');
    const pca = reduceDimensions(data, n, d, { seed: 0 });
    // The graph the engine builds for seed 0 (same seed derivation as computeEmbedding).
    const knn = findNeighbours(pca.scores, n, pca.dims, 15, { seed: deriveSeed(0, 1) });
    writeFileSync(`${out}.json`, JSON.stringify({ method: knn.method, recall: knn.method === 'exact' ? 1 : sampledRecall(pca.scores, n, pca.dims, knn.graph, 1000, 12345) }));
    return;
  }
  const modulePath = impl === 'before' ? join(baselineDir, 'server', 'src', 'core', 'explain', 'umap', 'embedding.ts') : join(root, 'server', 'src', 'core', 'explain', 'umap', 'embedding.ts');
  const { computeEmbedding } = (await import(pathToFileURL(modulePath).href)) as typeof import('../server/src/core/explain/umap/embedding');
  const split = impl === 'now+ood' ? { train: Int32Array.from({ length: Math.floor(0.7 * n) }, (_, i) => i), test: Int32Array.from({ length: Math.floor(0.15 * n) }, (_, i) => n - 1 - i) } : {};
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = computeEmbedding({ data, n, d, neighbors: 15, minDist: 0.1, seed: 0, ...split });
  const used = process.cpuUsage(cpu);
  const result: ChildResult = {
    impl,
    data: kind,
    n,
    d,
    seconds: r.seconds as unknown as Record<string, number>,
    wall: (performance.now() - t) / 1000,
    cpu: (used.user + used.system) / 1e6,
    rssMb: process.resourceUsage().maxRSS / 1024,
    epochs: r.epochs,
    neighbours: (r as { neighbours?: ChildResult['neighbours'] }).neighbours,
    load: [loadStart, load1()],
  };
  writeFileSync(`${out}.f64`, Buffer.from(r.embedding.buffer, r.embedding.byteOffset, r.embedding.byteLength));
  writeFileSync(`${out}.json`, JSON.stringify(result));
}

/** The engine before issue 19, from git, beside the bench data (its imports resolve to this checkout's node_modules). */
function extractBaseline(commit: string): string {
  const dir = join(dataDir, `baseline-${commit}`);
  if (existsSync(join(dir, 'server', 'src', 'core', 'explain', 'umap', 'embedding.ts'))) return dir;
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['-C', root, 'archive', '--format=tar', commit, 'server/src/core', 'client/src/protocol.ts'], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return dir;
}

function readEmbedding(file: string): Float64Array {
  const b = readFileSync(file);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const [, , , impl, kind, n, d, out, baselineDir] = process.argv;
    await child(impl as Impl, kind as DataKind, Number(n), Number(d), out, baselineDir);
    return;
  }
  const points = arg('points', '10000,60000').split(',').map(Number);
  const d = Number(arg('dims', '256'));
  const qualityN = Number(arg('quality', '10000'));
  const baseline = arg('baseline', BASELINE_COMMIT);
  const kinds = arg('data', 'clustered,manifold').split(',') as DataKind[];
  mkdirSync(dataDir, { recursive: true });
  const baselineDir = baseline === 'none' ? '' : extractBaseline(baseline);
  const started = new Date().toISOString();
  process.stdout.write(`# UMAP benchmark · ${started} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  const impls: Impl[] = [...(baseline === 'none' ? [] : (['before'] as Impl[])), 'now', 'now+ood'];
  const results: ChildResult[] = [];
  const recalls = new Map<string, { method: string; recall: number }>();
  const run = (impl: Impl, kind: DataKind, n: number): string => {
    const out = join(dataDir, `${impl}-${kind}-${n}-${d}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', impl, kind, String(n), String(d), out, baselineDir], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${impl} on ${kind} at ${n} points failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
    return out;
  };
  for (const kind of kinds) {
    // The table is on the clustered data; the manifold runs at the quality size only.
    for (const n of kind === 'clustered' ? points : points.filter((p) => p === qualityN)) {
      for (const impl of kind === 'clustered' ? impls : impls.filter((i) => i !== 'now+ood')) {
        const result = JSON.parse(readFileSync(`${run(impl, kind, n)}.json`, 'utf8')) as ChildResult;
        results.push(result);
        process.stderr.write(`${impl} ${kind} ${n}: ${result.wall.toFixed(1)} s, ${result.rssMb.toFixed(0)} MB\n`);
      }
      recalls.set(`${kind}-${n}`, JSON.parse(readFileSync(`${run('recall', kind, n)}.json`, 'utf8')));
    }
  }
  const s = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)} s`);
  process.stdout.write(`${d}-d features, 15 neighbours, min_dist 0.1, seed 0; before = commit ${baseline}; times are wall seconds (CPU: user + system of the process)\n\n`);
  process.stdout.write('| data | implementation | points | PCA | k-NN | layout | OOD | total (wall) | CPU | peak RSS | k-NN graph (recall on 1,000 points) | load before → after |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n');
  for (const r of results) {
    const rec = recalls.get(`${r.data}-${r.n}`);
    const knn = r.impl === 'before' ? 'exact' : rec ? (rec.method === 'exact' ? 'exact' : `NN-descent, ${rec.recall.toFixed(3)}`) : '–';
    process.stdout.write(
      `| ${r.data} | ${r.impl} | ${r.n.toLocaleString('en')} | ${s(r.seconds.pca)} | ${s(r.seconds.neighbours)} | ${s(r.seconds.layout)} (${r.epochs} epochs) | ${s(r.seconds.ood || undefined)} | ${s(r.wall)} | ${s(r.cpu)} | ${r.rssMb.toFixed(0)} MB | ${knn} | ${r.load[0]} → ${r.load[1]} |\n`,
    );
  }
  for (const kind of kinds) {
    const scored = (['before', 'now'] as Impl[]).filter((impl) => existsSync(join(dataDir, `${impl}-${kind}-${qualityN}-${d}.f64`)) && results.some((r) => r.impl === impl && r.n === qualityN && r.data === kind));
    if (scored.length === 0) continue;
    const t = performance.now();
    const q = mapQuality(generate(kind, qualityN, d), qualityN, d, scored.map((impl) => readEmbedding(join(dataDir, `${impl}-${kind}-${qualityN}-${d}.f64`))), 15);
    process.stdout.write(`\nMap quality, ${kind} data, ${qualityN.toLocaleString('en')} points (k = 15, on the ${d}-d input features; ${((performance.now() - t) / 1000).toFixed(0)} s to score)\n\n| implementation | trustworthiness | k-NN preservation |\n|---|---:|---:|\n`);
    scored.forEach((impl, i) => process.stdout.write(`| ${impl} | ${q[i].trustworthiness.toFixed(4)} | ${q[i].knnPreservation.toFixed(4)} |\n`));
  }
  process.stdout.write(`\nload average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
