/**
 * The two sbatch scripts of a sharded run: an array job whose task K (0-based, as Slurm counts)
 * runs shard K+1 of N, and the merge job, submitted with `--dependency=afterok:<array>` so that it
 * runs only once every shard has succeeded.
 */
import { shellWord } from '../util/shellWord';
import { ENGINE_BUILD, ENGINE_VERSION } from '../version';
import { logsDir, mergeCommand, SHARD_INDEX, shardCommands, type BatchJobSpec } from './jobSpec';
import { sbatchOptions } from './slurmOptions';

export const SHARDS_SCRIPT = 'shards.sbatch';
export const MERGE_SCRIPT = 'merge.sbatch';

/**
 * Exit statuses of medseg after which a shard's results are complete: 3 (finished with errors:
 * some image or model failed) and 4 (nothing evaluated, e.g. no image of the split fell in this
 * shard) are what a single run would also have ended with, and the merge carries them into the
 * merged result and its own exit status. Anything else (a config error, a full disk, a crash, an
 * interruption) leaves the shard incomplete and fails the task, so the merge does not run.
 */
export const COMPLETE_STATUSES = [0, 3, 4] as const;

/** A command's words as a shell line, the shard index read from `$I`. */
export function shellCommand(words: readonly string[]): string {
  return words
    .map((word) => {
      if (!word.includes(SHARD_INDEX)) return shellWord(word);
      return word
        .split(SHARD_INDEX)
        .map((part) => (part === '' ? '' : shellWord(part)))
        .join('"$I"');
    })
    .join(' ');
}

function header(spec: BatchJobSpec, what: string, options: readonly string[]): string[] {
  return [
    '#!/bin/bash',
    `# ${what}`,
    `# Written by \`medseg slurm\` (medseg ${ENGINE_VERSION}, build ${ENGINE_BUILD}) for ${spec.config}.`,
    ...options.map((o) => `#SBATCH ${o}`),
  ];
}

/** The array job; `--array` is given on the sbatch command line (all shards, or those a resume re-runs). */
export function shardsScript(spec: BatchJobSpec): string {
  const options = [`--job-name=medseg-${spec.experiment}`, `--output=${logsDir(spec)}/shard-%A_%a.out`, ...sbatchOptions(spec.resources, false)];
  return [
    ...header(spec, `Shard $((SLURM_ARRAY_TASK_ID + 1)) of ${spec.shards}: ${spec.tasks.join(' then ')} of this shard's images.`, options),
    // Setup first: environment modules often read unset variables, which `set -u` would refuse.
    ...(spec.resources.setup ?? []),
    'set -u',
    'I=$((SLURM_ARRAY_TASK_ID + 1))',
    `echo "medseg shard $I/${spec.shards} on $(hostname), job \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}"`,
    ...shardSteps(spec, 'medseg slurm --resume'),
    '',
  ].join('\n');
}

/**
 * The shell lines that run a shard's commands in turn, `$I` being its 1-based index (POSIX sh:
 * the same lines run in a Slurm task and in a Kubernetes container).
 */
export function shardSteps(spec: BatchJobSpec, rerun: string): string[] {
  return [
    '# Exit statuses 0, 3 (finished with errors) and 4 (nothing evaluated) leave a complete shard; the',
    '# merge reports them as a single run would. Any other status fails the shard, and the merge waits.',
    'step() {',
    '  what=$1',
    '  shift',
    '  "$@"',
    '  status=$?',
    `  case $status in ${COMPLETE_STATUSES.join('|')}) return 0 ;; esac`,
    `  echo "medseg shard $I/${spec.shards}: $what ended with exit status $status; the shard is incomplete (${rerun} re-runs it)" >&2`,
    '  exit "$status"',
    '}',
    ...shardCommands(spec).map((words, k) => `step ${spec.tasks[k]} ${shellCommand(words)}`),
  ];
}

/** The merge job; `--dependency=afterok:…` is given on the sbatch command line. */
export function mergeScript(spec: BatchJobSpec): string {
  const options = [`--job-name=medseg-${spec.experiment}-merge`, `--output=${logsDir(spec)}/merge-%j.out`, ...sbatchOptions(spec.resources, true)];
  return [
    ...header(spec, `Merge of the ${spec.shards} shards into ${spec.results}.`, options),
    ...(spec.resources.setup ?? []),
    'set -u',
    `exec ${shellCommand(mergeCommand(spec))}`,
    '',
  ].join('\n');
}

/** `--array` for the 0-based task ids `tasks`, with runs collapsed (`0-3,7,9-10`) and the throttle. */
export function arraySpec(tasks: readonly number[], maxParallel?: number): string {
  const sorted = [...new Set(tasks)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let end = k;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    ranges.push(end === k ? String(sorted[k]) : `${sorted[k]}-${sorted[end]}`);
    k = end + 1;
  }
  return `${ranges.join(',')}${maxParallel ? `%${maxParallel}` : ''}`;
}
