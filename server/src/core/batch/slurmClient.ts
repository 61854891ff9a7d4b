/**
 * The Slurm commands medseg runs: `sbatch` to submit, `scontrol show job` (then `sacct`, once
 * slurmctld has forgotten a finished job) to follow, `scancel` to withdraw a merge that can no
 * longer run. Each is run without a shell; what they print is parsed here and nowhere else. A
 * command that is missing or refuses is an InputError with its own words and the fix.
 */
import { execFile } from 'node:child_process';
import { InputError } from '../findings';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (ENOENT: not installed or not on PATH). */
  spawnError?: NodeJS.ErrnoException;
}

export type CommandRunner = (program: string, args: readonly string[]) => Promise<CommandResult>;

export const runCommand: CommandRunner = (program, args) =>
  new Promise((resolve) => {
    execFile(program, [...args], { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e && typeof e.code === 'string') resolve({ code: null, stdout: stdout ?? '', stderr: stderr ?? '', spawnError: e });
      else resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: stdout ?? '', stderr: stderr ?? '' });
    });
  });

/** A job's (or array task's) state as Slurm reports it. */
export interface JobState {
  /** `123` for a job, `123_4` for array task 4 (`123_[5-9]` for tasks still pending together). */
  id: string;
  /** The array task ids this line covers (pending tasks are listed as a range), for array jobs. */
  tasks?: number[];
  state: string;
  reason?: string;
  /** The exit status of the job's script (`ExitCode=3:0` → 3). */
  exitCode?: number;
}

const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);
/** Whether a job in state `state` will not run (any more). */
export const isFinished = (state: string) => FINISHED.has(state.split(/[ +]/)[0]);

function refusal(program: string, r: CommandResult, what: string): InputError {
  if (r.spawnError?.code === 'ENOENT') {
    return new InputError(program, `\`${program}\` is not on PATH: ${what} needs Slurm's commands. Run medseg on a login node of the cluster (or load its Slurm module), or write the scripts without --submit and submit them there.`, 'batch/no-slurm');
  }
  const said = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ');
  return new InputError(program, `\`${program}\` refused ${what} (exit status ${r.code ?? r.spawnError?.code}): ${said || 'no message'}`, 'batch/submit-failed');
}

/** Task ids `3`, `3-7`, `[3-7%2]`, `1,4-5` → the ids. */
export function parseTaskIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.replace(/^\[|\]$/g, '').replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const step = Number(m[3] ?? 1);
    for (let k = Number(m[1]); k <= Number(m[2] ?? m[1]); k += step) ids.push(k);
  }
  return ids;
}

/** Parses `scontrol show job -o` (one job or array task per line, `Key=Value` words). */
export function parseScontrol(text: string): JobState[] {
  const states: JobState[] = [];
  for (const line of text.split('\n')) {
    const field = (key: string) => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1];
    const jobId = field('JobId');
    const state = field('JobState');
    if (!jobId || !state) continue;
    const arrayJob = field('ArrayJobId');
    const task = field('ArrayTaskId');
    const exit = field('ExitCode');
    states.push({
      id: arrayJob && task ? `${arrayJob}_${task}` : jobId,
      ...(arrayJob && task ? { tasks: parseTaskIds(task) } : {}),
      state,
      reason: field('Reason'),
      ...(exit ? { exitCode: Number(exit.split(':')[0]) } : {}),
    });
  }
  return states;
}

/** Parses `sacct -n -P -X -o JobID,State,ExitCode` (`123_4|FAILED|3:0`). */
export function parseSacct(text: string): JobState[] {
  return text
    .split('\n')
    .map((line) => line.trim().split('|'))
    .filter((f) => f.length >= 3 && f[0])
    .map(([id, state, exit]) => {
      const task = /^\d+_(\S+)$/.exec(id)?.[1];
      return { id, ...(task ? { tasks: parseTaskIds(task) } : {}), state: state.split(' ')[0], exitCode: Number(exit.split(':')[0]) };
    });
}

export class SlurmClient {
  constructor(private readonly run: CommandRunner = runCommand) {}

  /** Submits a script; returns the job id (`--parsable` prints `id` or `id;cluster`). */
  async submit(script: string, options: readonly string[]): Promise<string> {
    const r = await this.run('sbatch', ['--parsable', ...options, script]);
    if (r.code !== 0) throw refusal('sbatch', r, `to submit ${script}`);
    const id = r.stdout.trim().split('\n').pop()?.split(';')[0] ?? '';
    if (!/^\d+$/.test(id)) throw new InputError('sbatch', `\`sbatch\` submitted ${script} but printed no job id (${JSON.stringify(r.stdout.trim())}).`, 'batch/submit-failed');
    return id;
  }

  /** Withdraws jobs (the merge of a submission whose shards failed). */
  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const r = await this.run('scancel', ids);
    if (r.code !== 0) throw refusal('scancel', r, `to cancel job ${ids.join(', ')}`);
  }

  /**
   * The states of jobs and of their array tasks; jobs that Slurm no longer knows (finished more
   * than MinJobAge ago, on a cluster without accounting) are absent.
   */
  async states(ids: readonly string[]): Promise<JobState[]> {
    const out: JobState[] = [];
    const forgotten: string[] = [];
    for (const id of ids) {
      const r = await this.run('scontrol', ['show', 'job', '-o', id]);
      if (r.spawnError?.code === 'ENOENT') throw refusal('scontrol', r, 'to follow the jobs');
      const states = r.code === 0 ? parseScontrol(r.stdout) : [];
      if (states.length > 0) for (const s of states) out.push(s);
      else forgotten.push(id);
    }
    if (forgotten.length > 0) {
      const r = await this.run('sacct', ['-n', '-P', '-X', '-o', 'JobID,State,ExitCode', '-j', forgotten.join(',')]);
      if (r.code === 0) for (const s of parseSacct(r.stdout)) out.push(s);
    }
    return out;
  }
}
