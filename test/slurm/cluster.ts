/**
 * A one-node Slurm cluster for tests, from Debian's packages (slurmctld, slurmd, munge,
 * slurm-client), run as root out of a temporary folder: its own munge key and socket, state and
 * spool, free ports, `ProctrackType=proctrack/linuxproc` and `TaskPlugin=task/none` (no cgroups
 * needed). `stop()` cancels the jobs submitted to it and ends the three daemons it started, by the
 * pids they wrote, then removes the folder. Clients reach it through `env` (SLURM_CONF).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export const SLURM_PACKAGES = ['slurmctld', 'slurmd', 'munge', 'slurm-client'];
const PROGRAMS = ['slurmctld', 'slurmd', 'munged', 'sbatch', 'scontrol', 'squeue', 'scancel', 'sinfo'];

function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0 || existsSync(`/usr/sbin/${name}`);
}

/**
 * Installs the Slurm packages with apt when a program is missing (as CI installs Chromium).
 * Returns why Slurm cannot be had, or undefined when it is there.
 */
export function ensureSlurm(log: (line: string) => void): string | undefined {
  const missing = PROGRAMS.filter((p) => !onPath(p));
  if (missing.length === 0) return undefined;
  if (process.getuid?.() !== 0) return `${missing.join(', ')} not installed, and installing ${SLURM_PACKAGES.join(' ')} with apt-get needs root`;
  log(`installing ${SLURM_PACKAGES.join(' ')} with apt-get (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { env, encoding: 'utf8' });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...SLURM_PACKAGES], { env, encoding: 'utf8' });
  if (update.status !== 0 || install.status !== 0) return `apt-get install ${SLURM_PACKAGES.join(' ')} failed: ${(install.stderr || update.stderr || '').trim().split('\n').slice(-3).join(' ')}`;
  const still = PROGRAMS.filter((p) => !onPath(p));
  return still.length ? `${still.join(', ')} still missing after apt-get install` : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function pidOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface SlurmCluster {
  dir: string;
  /** The environment for Slurm's clients (and medseg, which runs them): SLURM_CONF set. */
  env: NodeJS.ProcessEnv;
  run(program: string, args: string[]): { status: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /**
   * `task/none` (default: nothing but Slurm needed) or `task/affinity`, which binds each task to
   * the CPUs it was given, as production clusters do (then a shard of `--cpus 1` sees one core).
   */
  taskPlugin?: 'task/none' | 'task/affinity';
}

/**
 * A copy of the built CLI (dist/, and media/ that report.html reads beside it) that no rebuild can
 * change while jobs run: shards record the build, and a merge refuses shards of two builds. It
 * lies inside the repository (test/.tmp) so that node_modules resolves as from dist/. Remove
 * `dirname(dirname(cli))` when done.
 */
export function frozenBuild(root: string): string {
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'cli.js'))) throw new Error(`${dist}/cli.js is missing: build first (npm run build)`);
  mkdirSync(join(root, 'test', '.tmp'), { recursive: true });
  const copy = mkdtempSync(join(root, 'test', '.tmp', 'slurm-build-'));
  cpSync(dist, join(copy, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  cpSync(join(root, 'media'), join(copy, 'media'), { recursive: true, filter: (src) => !src.includes('screenshots') });
  return join(copy, 'dist', 'cli.js');
}

export async function startCluster(options: ClusterOptions = {}): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'medseg-slurm-'));
  chmodSync(dir, 0o755);
  for (const d of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, d), { mode: 0o755 });
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(128), { mode: 0o400 });
  const socket = join(dir, 'munge', 'munge.sock');
  const node = hostname().split('.')[0];
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=medseg-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      'SlurmUser=root',
      'SlurmdUser=root',
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      `TaskPlugin=${options.taskPlugin ?? 'task/none'}`,
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'MpiDefault=none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'ReturnToService=2',
      // Finished jobs stay visible to scontrol for the whole test (there is no accounting database).
      'MinJobAge=3600',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const run = (program: string, args: string[]) => {
    const r = spawnSync(program, args, { env, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const pidFiles = [join(dir, 'slurmd.pid'), join(dir, 'slurmctld.pid'), join(dir, 'munge', 'munged.pid')];
  const cluster: SlurmCluster = {
    dir,
    env,
    run,
    async stop() {
      // Jobs of this cluster only (it is private to this test), then the daemons it started.
      const ids = run('squeue', ['-h', '-o', '%A']).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
      if (ids.length > 0) run('scancel', [...new Set(ids)]);
      for (const file of pidFiles) {
        const pid = pidOf(file);
        if (pid === undefined || !alive(pid)) continue;
        process.kill(pid, 'SIGTERM');
        for (let k = 0; k < 100 && alive(pid); k++) await sleep(100);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const start = (program: string, args: string[]) => {
      const r = spawnSync(program, args, { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    };
    // munged first: the Slurm daemons authenticate through it from their first message.
    start('munged', ['--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${pidFiles[2]}`, `--log-file=${join(dir, 'munge', 'munged.log')}`, `--seed-file=${join(dir, 'munge', 'munged.seed')}`]);
    start('slurmctld', ['-f', conf]);
    start('slurmd', ['-f', conf]);
    for (let k = 0; ; k++) {
      const state = run('sinfo', ['-h', '-o', '%t']).stdout.trim();
      if (state === 'idle') break;
      if (k > 300) throw new Error(`the test cluster's node is \`${state}\`, not idle, after 30 s; logs in ${join(dir, 'log')}:\n${readLog(dir)}`);
      await sleep(100);
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

function readLog(dir: string): string {
  return ['slurmctld.log', 'slurmd.log'].map((f) => {
    try {
      return readFileSync(join(dir, 'log', f), 'utf8').split('\n').slice(-10).join('\n');
    } catch {
      return '';
    }
  }).join('\n');
}
