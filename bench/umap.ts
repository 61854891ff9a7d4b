/**
 * UMAP at the seed's scale (issue 19): `computeEmbedding` on clustered synthetic features (12
 * Gaussian clusters, the generator of bench/explain.ts; 256-d as in the issue's table, 15
 * neighbours, min_dist 0.1, seed 0), the engine's implementation against the one before issue 19
 * (its `server/src/core` extracted from git at the baseline commit into bench/.data/), each run in
 * its own process so that its peak RSS is its own. Then, at the quality size, trustworthiness and
 * k-NN preservation (k = 15, scikit-learn's definition, on the input features) of both maps.
 *
 *   node --import tsx bench/umap.ts [--points 10000,60000] [--dims 256] [--quality 10000]
 *                                   [--baseline <commit>|none] [--recall-sample 1000]
 *
 * Rows: `before` (umap-js with exact k-NN), `now` (NN-descent above 4,096 points, flat layout),
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

/** bench/explain.ts's generator: 12 centres at 3σ, unit noise. */
function clustered(n: number, d: number, seed: number): Float32Array {
  const r = createRandom(seed);
  const centres = Array.from({ length: 12 }, () => Array.from({ length: d }, () => 3 * r.normal()));
  return Float32Array.from({ length: n * d }, (_, i) => centres[Math.floor(i / d) % 12][i % d] + r.normal());
}

type Impl = 'before' | 'now' | 'now+ood';

interface ChildResult {
  impl: Impl;
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

async function child(impl: Impl, n: number, d: number, out: string, baselineDir: string, recallSample: number): Promise<void> {
  const loadStart = load1();
  const data = clustered(n, d, 1);
  const modulePath = impl === 'before' ? join(baselineDir, 'server', 'src', 'core', 'explain', 'umap', 'embedding.ts') : join(root, 'server', 'src', 'core', 'explain', 'umap', 'embedding.ts');
  const { computeEmbedding } = (await import(pathToFileURL(modulePath).href)) as typeof import('../server/src/core/explain/umap/embedding');
  const split = impl === 'now+ood' ? { train: Int32Array.from({ length: Math.floor(0.7 * n) }, (_, i) => i), test: Int32Array.from({ length: Math.floor(0.15 * n) }, (_, i) => n - 1 - i) } : {};
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = computeEmbedding({ data, n, d, neighbors: 15, minDist: 0.1, seed: 0, recallSample, ...split });
  const used = process.cpuUsage(cpu);
  const result: ChildResult = {
    impl,
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
    const [, , , impl, n, d, out, baselineDir, recallSample] = process.argv;
    await child(impl as Impl, Number(n), Number(d), out, baselineDir, Number(recallSample));
    return;
  }
  const points = arg('points', '10000,60000').split(',').map(Number);
  const d = Number(arg('dims', '256'));
  const qualityN = Number(arg('quality', '10000'));
  const baseline = arg('baseline', BASELINE_COMMIT);
  const recallSample = Number(arg('recall-sample', '1000'));
  mkdirSync(dataDir, { recursive: true });
  const baselineDir = baseline === 'none' ? '' : extractBaseline(baseline);
  const started = new Date().toISOString();
  process.stdout.write(`# UMAP benchmark · ${started} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  const impls: Impl[] = [...(baseline === 'none' ? [] : (['before'] as Impl[])), 'now', 'now+ood'];
  const results: ChildResult[] = [];
  for (const n of points) {
    for (const impl of impls) {
      const out = join(dataDir, `${impl}-${n}-${d}`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', impl, String(n), String(d), out, baselineDir, String(recallSample)], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      if (r.status !== 0) throw new Error(`${impl} at ${n} points failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
      const result = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as ChildResult;
      results.push(result);
      process.stderr.write(`${impl} ${n}: ${result.wall.toFixed(1)} s, ${result.rssMb.toFixed(0)} MB\n`);
    }
  }
  const s = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)} s`);
  process.stdout.write(`${d}-d clustered features, 15 neighbours, min_dist 0.1, seed 0; before = commit ${baseline}\n\n`);
  process.stdout.write('| implementation | points | PCA | k-NN | layout | OOD | total (wall) | CPU | peak RSS | k-NN | load before → after |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n');
  for (const r of results) {
    const nb = r.neighbours;
    const knn = nb ? `${nb.method}${nb.recall !== undefined ? `, recall ${nb.recall.toFixed(3)} (${nb.recallSample} points)` : ''}` : 'exact';
    process.stdout.write(
      `| ${r.impl} | ${r.n.toLocaleString('en')} | ${s(r.seconds.pca)} | ${s(r.seconds.neighbours)} | ${s(r.seconds.layout)} (${r.epochs} epochs) | ${s(r.seconds.ood || undefined)} | ${s(r.wall)} | ${s(r.cpu)} | ${r.rssMb.toFixed(0)} MB | ${knn} | ${r.load[0]} → ${r.load[1]} |\n`,
    );
  }
  const scored = (['before', 'now'] as Impl[]).filter((impl) => existsSync(join(dataDir, `${impl}-${qualityN}-${d}.f64`)) && results.some((r) => r.impl === impl && r.n === qualityN));
  if (scored.length > 0) {
    const t = performance.now();
    const q = mapQuality(clustered(qualityN, d, 1), qualityN, d, scored.map((impl) => readEmbedding(join(dataDir, `${impl}-${qualityN}-${d}.f64`))), 15);
    process.stdout.write(`\nMap quality at ${qualityN.toLocaleString('en')} points (k = 15, on the ${d}-d input features; ${((performance.now() - t) / 1000).toFixed(0)} s to score)\n\n| implementation | trustworthiness | k-NN preservation |\n|---|---:|---:|\n`);
    scored.forEach((impl, i) => process.stdout.write(`| ${impl} | ${q[i].trustworthiness.toFixed(4)} | ${q[i].knnPreservation.toFixed(4)} |\n`));
  }
  process.stdout.write(`\nload average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
