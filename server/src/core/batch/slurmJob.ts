/**
 * `medseg slurm`: writes the array and merge scripts of a sharded run with its record
 * (`job.json`), submits them (the merge with `--dependency=afterok:` on the array), re-submits only
 * the shards that are not done (`--resume`), and follows the jobs to their end (`--wait`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MedsegConfig } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { InputError } from '../findings';
import { writeFileAtomic } from '../io';
import { commonSpec, JOB_FILE, logsDir, type BatchJobSpec, type ShardedRunRequest, type Submission } from './jobSpec';
import { arraySpec, MERGE_SCRIPT, mergeScript, SHARDS_SCRIPT, shardsScript } from './sbatchScripts';
import { isFinished, type JobState, type SlurmClient } from './slurmClient';
import { resourceProblems, type SlurmResources } from './slurmOptions';
import { mergedAfterShards, shardStatuses, type ShardStatus } from './shardStatus';

export interface SlurmJobRequest extends ShardedRunRequest {
  resources: SlurmResources;
}

export function jobFile(spec: Pick<BatchJobSpec, 'work'>): string {
  return join(spec.work, JOB_FILE);
}

/** The job recorded in a job folder, or undefined when there is none. */
export function readJob(work: string): BatchJobSpec | undefined {
  const file = join(work, JOB_FILE);
  if (!existsSync(file)) return undefined;
  let spec: BatchJobSpec;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8')) as BatchJobSpec;
  } catch (err) {
    throw new InputError(file, `${file} cannot be read (${(err as Error).message}): it is written by \`medseg slurm\`; write the job again with \`medseg slurm <config> --shards N\`.`, 'batch/no-job');
  }
  if (spec.version !== 1 || !Array.isArray(spec.submissions)) throw new InputError(file, `${file} is not a job record of this medseg: write the job again with \`medseg slurm <config> --shards N\`.`, 'batch/no-job');
  return spec;
}

export function specOf(req: SlurmJobRequest, previous?: BatchJobSpec): BatchJobSpec {
  const problems = resourceProblems(req.resources);
  if (problems.length > 0) throw new InputError(req.config.file, `${problems.join('; ')}.`, 'batch/invalid-option');
  return { ...commonSpec(req, 'slurm', previous), resources: req.resources };
}

/** Writes the scripts and job.json into the job folder (and makes its logs/ folder). */
export async function writeSlurmJob(spec: BatchJobSpec): Promise<{ shards: string; merge: string }> {
  await mkdir(logsDir(spec), { recursive: true });
  const shards = join(spec.work, SHARDS_SCRIPT);
  const merge = join(spec.work, MERGE_SCRIPT);
  await writeFileAtomic(shards, shardsScript(spec));
  await writeFileAtomic(merge, mergeScript(spec));
  await saveJob(spec);
  return { shards, merge };
}

async function saveJob(spec: BatchJobSpec): Promise<void> {
  await writeFileAtomic(jobFile(spec), JSON.stringify(spec, null, 2) + '\n');
}

/** Every job of the record that has not finished: array tasks (by 0-based task id) and merges. */
export interface ActiveJobs {
  tasks: Map<number, JobState>;
  merges: JobState[];
}

export async function activeJobs(spec: BatchJobSpec, client: SlurmClient): Promise<ActiveJobs> {
  const arrays = spec.submissions.map((s) => s.array).filter((x): x is string => !!x);
  const merges = spec.submissions.map((s) => s.merge).filter((x): x is string => !!x);
  const tasks = new Map<number, JobState>();
  const activeMerges: JobState[] = [];
  if (arrays.length + merges.length === 0) return { tasks, merges: activeMerges };
  for (const state of await client.states([...arrays, ...merges])) {
    if (isFinished(state.state)) continue;
    const arrayId = state.id.split('_')[0];
    if (arrays.includes(arrayId) && state.tasks) for (const t of state.tasks) tasks.set(t, state);
    else if (merges.includes(state.id)) activeMerges.push(state);
  }
  return { tasks, merges: activeMerges };
}

/**
 * Submits the array for the 0-based task ids `tasks` (none: only the merge), then the merge, which
 * waits for them and for `alsoAfter` (array tasks of an earlier submission still running, as
 * `<array>_<task>`). The submission is recorded in job.json before anything can fail after it.
 */
export async function submitSlurmJob(spec: BatchJobSpec, client: SlurmClient, tasks: readonly number[], alsoAfter: readonly string[] = []): Promise<Submission> {
  const submission: Submission = { time: new Date().toISOString(), tasks: [...tasks] };
  if (tasks.length > 0) {
    submission.array = await client.submit(join(spec.work, SHARDS_SCRIPT), [`--array=${arraySpec(tasks, spec.resources.maxParallel)}`]);
    spec.submissions.push(submission);
    await saveJob(spec);
  } else spec.submissions.push(submission);
  const after = [...(submission.array ? [submission.array] : []), ...alsoAfter];
  submission.merge = await client.submit(join(spec.work, MERGE_SCRIPT), after.length > 0 ? [`--dependency=afterok:${after.join(':')}`] : []);
  await saveJob(spec);
  return submission;
}

export interface ResumePlan {
  statuses: ShardStatus[];
  /** 0-based task ids to submit again. */
  rerun: number[];
  /** Shards (0-based task id) still pending or running in an earlier submission. */
  running: Map<number, JobState>;
  /** Merges of earlier submissions that have not run and would never run, or would run too early. */
  staleMerges: JobState[];
  /** Nothing to do: the results hold the merge of every shard, or the jobs in flight will finish it. */
  nothingToDo?: string;
}

/** What `--resume` does, from the shard folders and the scheduler's view of the recorded jobs. */
export async function planResume(spec: BatchJobSpec, config: MedsegConfig, cases: readonly DatasetCase[], client: SlurmClient): Promise<ResumePlan> {
  const active = await activeJobs(spec, client);
  const running = active.merges.find((m) => m.state === 'RUNNING' || m.state === 'COMPLETING');
  if (running) throw new InputError(spec.work, `The merge job ${running.id} of this run is running now: wait for it to end (squeue -j ${running.id}), then resume if it failed.`, 'batch/job-active');
  const statuses = await shardStatuses(spec, config, cases);
  const rerun = statuses.filter((s) => !s.done && !active.tasks.has(s.index - 1)).map((s) => s.index - 1);
  const pendingMerge = active.merges.find((m) => m.reason !== 'DependencyNeverSatisfied');
  if (rerun.length === 0 && active.tasks.size > 0 && pendingMerge) {
    return { statuses, rerun, running: active.tasks, staleMerges: [], nothingToDo: `${active.tasks.size} shard(s) still queued or running; merge job ${pendingMerge.id} runs after them.` };
  }
  if (rerun.length === 0 && active.tasks.size === 0 && mergedAfterShards(spec)) {
    return { statuses, rerun, running: active.tasks, staleMerges: [], nothingToDo: `Every shard is done and ${spec.results} holds their merge.` };
  }
  return { statuses, rerun, running: active.tasks, staleMerges: active.merges };
}

/** The outcome of following a submission to its end. */
export interface WaitOutcome {
  /** `merged`: the merge ran (its exit status is `mergeExit`); `shards-failed`: it never will. */
  kind: 'merged' | 'shards-failed';
  mergeExit?: number;
  mergeState?: string;
  /** Shards (1-based) whose tasks failed, with Slurm's state and exit status. */
  failed: { index: number; state: string; exitCode?: number }[];
}

/**
 * Follows the array and the merge of `submission` until the merge has ended or can no longer run
 * (a shard failed: Slurm leaves the merge pending with DependencyNeverSatisfied; medseg cancels it
 * so that it does not wait in the queue for ever).
 */
export async function waitForSubmission(submission: Submission, client: SlurmClient, options: { pollMs?: number; signal?: AbortSignal; onState?: (states: JobState[]) => void } = {}): Promise<WaitOutcome> {
  const ids = [...(submission.array ? [submission.array] : []), submission.merge!];
  for (;;) {
    options.signal?.throwIfAborted();
    const states = await client.states(ids);
    options.onState?.(states);
    const merge = states.find((s) => s.id === submission.merge);
    const failed = states
      .filter((s) => s.tasks && s.id.startsWith(`${submission.array}_`) && isFinished(s.state) && s.state !== 'COMPLETED')
      .flatMap((s) => s.tasks!.map((t) => ({ index: t + 1, state: s.state, exitCode: s.exitCode })));
    if (!merge || isFinished(merge.state)) {
      if (merge?.state === 'CANCELLED' && failed.length > 0) return { kind: 'shards-failed', failed };
      return { kind: 'merged', mergeExit: merge?.exitCode, mergeState: merge?.state, failed };
    }
    if (merge.reason === 'DependencyNeverSatisfied' || (failed.length > 0 && merge.state === 'PENDING')) {
      const arrayDone = states.filter((s) => s.tasks && s.id.startsWith(`${submission.array}_`)).every((s) => isFinished(s.state));
      if (arrayDone) {
        await client.cancel([submission.merge!]);
        return { kind: 'shards-failed', failed };
      }
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 2000));
  }
}
