/**
 * Seed scale: N small images evaluated with 3 ONNX models, fusion and statistics — in one process,
 * and as 2 shards merged — with wall time, images/s, CPU utilisation and peak RSS of each process
 * (worker threads included), the check that the merge equals the single run, and the projected
 * time for 30 models. Prints a Markdown table.
 *
 *   npm run build && node --import tsx bench/scale.ts [images=60000] [size=64] [workers=0] [single|all]
 *
 * `workers` is runtime.workers (0 = auto: the cores onnxruntime's threads leave, at least 1;
 * `main` = the cases on the main thread, the layout before the case pool); `single` runs the
 * one-process evaluation only (no shards, no merge). The images are shared with other benchmarks
 * of the same size (bench/.data/scale-N-SIZE/images); everything this one writes is under its own
 * `pool/` folder there, so it never touches their caches or results.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadNow, machineLine, markdownTable, runMedseg, type MedsegRun } from './support/runMedseg';
import { SCALE_MODELS, writeScaleCase } from './support/scaleCase';

const N = Number(process.argv[2] ?? 60000);
const SIZE = Number(process.argv[3] ?? 64);
const WORKERS = process.argv[4] ?? '0';
const SINGLE_ONLY = process.argv[5] === 'single';
const data = join(__dirname, '.data', `scale-${N}-${SIZE}`);
const dir = join(data, 'pool');

function row(name: string, r: MedsegRun, load: string, images?: number): string[] {
  return [
    name,
    r.seconds.toFixed(0),
    images === undefined ? '—' : (images / r.seconds).toFixed(1),
    `${((100 * r.cpuSeconds) / r.seconds).toFixed(0)} %`,
    `${((100 * r.mainCpuSeconds) / r.seconds).toFixed(0)} %`,
    r.rssMb.toFixed(0),
    load,
  ];
}

async function main(): Promise<void> {
  const config = await writeScaleCase(data, dir, N, SIZE, { workers: WORKERS });
  for (const d of ['cache', 'results', 'shard1', 'shard2', 'merged']) rmSync(join(dir, d), { recursive: true, force: true });

  const rows: string[][] = [];
  let load = loadNow();
  const single = runMedseg(['evaluate', config]);
  rows.push(row('one process', single, load, N));

  if (SINGLE_ONLY) {
    console.log(`\nScale: ${N} RGB images ${SIZE}×${SIZE}, 3 ONNX models, 5 fusions, statistics, report; runtime.workers: ${WORKERS}`);
    console.log(`Machine: ${machineLine()}\n`);
    console.log(markdownTable(['run', 'wall s', 'images/s', 'CPU utilisation (all threads)', 'main thread', 'peak RSS MB', '1-min load at start'], rows));
    return;
  }
  rmSync(join(dir, 'cache'), { recursive: true, force: true }); // shards infer afresh, like separate machines
  load = loadNow();
  const s1 = runMedseg(['evaluate', config, '--shard', '1/2', '--output', join(dir, 'shard1')]);
  rows.push(row('shard 1/2', s1, load, N / 2));
  load = loadNow();
  const s2 = runMedseg(['evaluate', config, '--shard', '2/2', '--output', join(dir, 'shard2')]);
  rows.push(row('shard 2/2', s2, load, N / 2));
  load = loadNow();
  const merge = runMedseg(['merge', join(dir, 'shard1'), join(dir, 'shard2'), '--output', join(dir, 'merged')]);
  rows.push(row('`medseg merge` of the 2 shards', merge, load));
  const twoMachines = Math.max(s1.seconds, s2.seconds) + merge.seconds;
  rows.push(['2 shards on 2 machines, then merge', twoMachines.toFixed(0), (N / twoMachines).toFixed(1), '', '', '', '']);

  console.log(`\nScale: ${N} RGB images ${SIZE}×${SIZE}, 3 ONNX models (demo dermoscopy networks, 128×128), 5 fusions, statistics, report; runtime.workers: ${WORKERS}`);
  console.log(`Machine: ${machineLine()}\n`);
  console.log(markdownTable(['run', 'wall s', 'images/s', 'CPU utilisation (all threads)', 'main thread', 'peak RSS MB', '1-min load at start'], rows));
  const same = readFileSync(join(dir, 'results', 'scale', 'per_image.csv')).equals(readFileSync(join(dir, 'merged', 'per_image.csv')));
  console.log(`\nmerged per_image.csv identical to the single run: ${same}`);
  const perModel = single.seconds / SCALE_MODELS.length;
  console.log(
    `projected for 30 models (time grows with models; fusion of 30 masks not included): ≈ ${((perModel * 30 * (60000 / N)) / 3600).toFixed(1)} h per 60,000 images in one process, ≈ ${((perModel * 30 * (60000 / N)) / 3600 / 2).toFixed(1)} h on 2 shards`,
  );
  if (!same) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
