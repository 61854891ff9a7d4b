/**
 * The seed-scale evaluation (bench/scale.ts: 60,000 small images, 3 ONNX models, 5 fusions,
 * statistics, report) on a one-node Slurm cluster started here (test/slurm/cluster.ts, with
 * task/affinity so a shard of 1 CPU sees one core, as on a production cluster): as 2 and 4 shards
 * with `medseg slurm --submit --wait` (wall time from submission to merged results), against one
 * `medseg evaluate` process on the same machine. Every run starts from a cold prediction cache.
 * Prints a Markdown table with the machine, the date and the load average (other work on the
 * machine slows every row: re-measure on a quiet one).
 *
 *   npm run build && node --import tsx bench/slurm-scale.ts [images=60000] [size=32] [shards=2,4]
 *
 * Needs root and Debian's slurmctld, slurmd, munge and slurm-client (installed with apt when missing).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { maxOf, minOf } from '../server/src/core/util/arrays';
import { ensureSlurm, frozenBuild, startCluster, type SlurmCluster } from '../test/slurm/cluster';
import { writeScaleCase } from './support/scaleCase';

const N = Number(process.argv[2] ?? 60000);
const SIZE = Number(process.argv[3] ?? 32);
const SHARDS = (process.argv[4] ?? '2,4').split(',').map(Number);
const root = join(__dirname, '..');
// The images are shared with bench/scale.ts (bench/.data/scale-N-SIZE/images); what this bench
// writes (config, models, cache, results, job folders) is under its own slurm/ folder there.
const data = join(__dirname, '.data', `scale-${N}-${SIZE}`);
const dir = join(data, 'slurm');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ');

interface Row {
  run: string;
  seconds: number;
  detail: string;
}

function timed(cli: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env, maxBuffer: 256 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`medseg ${args.join(' ')} exited ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return seconds;
}

/** Start and end of each array task and of the merge, from scontrol (whole seconds). */
function jobTimes(cluster: SlurmCluster, id: string): { start: number; end: number }[] {
  const out = cluster.run('scontrol', ['show', 'job', '-o', id]).stdout;
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ start: Date.parse(/StartTime=(\S+)/.exec(l)![1]), end: Date.parse(/EndTime=(\S+)/.exec(l)![1]) }));
}

async function main(): Promise<void> {
  const missing = ensureSlurm((line) => console.error(line));
  if (missing) throw new Error(`Slurm is not available: ${missing}`);
  const config = await writeScaleCase(data, dir, N, SIZE, {}, (line) => console.error(line));
  const cli = frozenBuild(root);
  const cluster = await startCluster({ taskPlugin: 'task/affinity' });
  const slurmVersion = cluster.run('sinfo', ['-V']).stdout.trim();
  const rows: Row[] = [];
  const started = new Date();
  const loadBefore = load();
  try {
    const clean = (...names: string[]) => {
      for (const d of ['cache', ...names]) rmSync(join(dir, d), { recursive: true, force: true });
    };
    clean('single');
    const single = timed(cli, ['evaluate', config, '--output', join(dir, 'single')], cluster.env);
    rows.push({ run: 'one `medseg evaluate` process (all cores)', seconds: single, detail: '' });
    console.error(`one process: ${single.toFixed(0)} s (load ${load()})`);
    for (const shards of SHARDS) {
      const out = join(dir, `slurm-${shards}`);
      clean(`slurm-${shards}`, `slurm-${shards}.slurm`);
      const seconds = timed(cli, ['slurm', config, '--shards', String(shards), '--output', out, '--cpus', '1', '--submit', '--wait'], cluster.env);
      const job = JSON.parse(readFileSync(join(`${out}.slurm`, 'job.json'), 'utf8')) as { submissions: { array: string; merge: string }[] };
      const { array, merge } = job.submissions[0];
      const tasks = jobTimes(cluster, array);
      const [m] = jobTimes(cluster, merge);
      const first = minOf(tasks.map((t) => t.start), 0);
      const last = maxOf(tasks.map((t) => t.end), 0);
      const longest = maxOf(tasks.map((t) => t.end - t.start), 0) / 1000;
      const same = readFileSync(join(dir, 'single', 'per_image.csv')).equals(readFileSync(join(out, 'per_image.csv')));
      if (!same) throw new Error(`the merge of ${shards} shards differs from the single run's per_image.csv`);
      rows.push({
        run: `${shards} shards, 1 CPU each (\`medseg slurm --shards ${shards} --cpus 1 --submit --wait\`)`,
        seconds,
        detail: `shards ${((last - first) / 1000).toFixed(0)} s (longest ${longest.toFixed(0)} s), merge ${((m.end - m.start) / 1000).toFixed(0)} s; per_image.csv identical`,
      });
      console.error(`${shards} shards: ${seconds.toFixed(0)} s (load ${load()})`);
    }
  } finally {
    await cluster.stop();
    rmSync(dirname(dirname(cli)), { recursive: true, force: true });
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\n### ${N.toLocaleString('en')} images of ${SIZE}×${SIZE}, 3 ONNX models + 5 fusions, one-node Slurm (${availableParallelism()} cores)\n`);
  console.log(`Machine: ${availableParallelism()} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${slurmVersion}; ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; load average (1/5/15 min) ${loadBefore} at the start, ${load()} at the end.\n`);
  console.log('| run | wall time, submission to merged results | images/s | against one process | |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const r of rows) console.log(`| ${r.run} | ${r.seconds.toFixed(0)} s | ${(N / r.seconds).toFixed(1)} | ${(rows[0].seconds / r.seconds).toFixed(2)}× | ${r.detail} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
