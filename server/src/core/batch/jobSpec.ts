/**
 * A sharded run as a batch job: where its parts go, what each shard and the merge run, and the
 * record (`job.json`) that lets `--resume` re-run only what is missing. The layout, for results
 * folder R (the merge's `--output`, by default the config's `<output>/<name>`):
 *
 *   R.slurm/               the job folder (`--work`): scripts, job.json, logs/
 *   R.slurm/shards/<I>/    shard I of N (1-based): `evaluate --shard I/N --output` there
 *   R/                     the merged results, as one `medseg evaluate` writes them
 *
 * Paths are absolute: the nodes run the commands from wherever the scheduler starts them.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { MedsegConfig } from '../config/types';
import { refuseRegions } from '../config/regions';
import { InputError } from '../findings';
import type { K8sOptions } from './k8sManifests';
import type { SlurmResources } from './slurmOptions';

/**
 * What each shard runs: the evaluation, and per-image explanations, perturbation stress tests or
 * UMAP features of its images (the merge embeds the features of every shard once).
 */
export const SHARD_TASKS = ['evaluate', 'explain', 'stress', 'umap'] as const;
export type ShardTask = (typeof SHARD_TASKS)[number];

/** Stands for the shard's 1-based index inside a command word; scripts put the scheduler's index there. */
export const SHARD_INDEX = '\0SHARD\0';

export interface BatchJobSpec {
  version: 1;
  scheduler: 'slurm' | 'k8s';
  /** The config (absolute) and the SHA-256 of its text when the job was written. */
  config: string;
  config_sha256: string;
  experiment: string;
  shards: number;
  tasks: ShardTask[];
  /** `--split`, `--provider`, `--method` as given (absent: the config's). */
  split?: string;
  provider?: string;
  method?: string;
  /** The merged results folder (absolute). */
  results: string;
  /** The job folder (absolute). */
  work: string;
  /** The words that run medseg on a node (`node /…/dist/cli.js`). */
  medseg: string[];
  resources: SlurmResources;
  /** Kubernetes: the image, volume claim and pod resources (`medseg k8s`). */
  k8s?: K8sOptions;
  submissions: Submission[];
}

export interface Submission {
  time: string;
  /** The array job's id and the 0-based task ids it ran (absent when only a merge was submitted). */
  array?: string;
  tasks: number[];
  merge?: string;
}

/** What `medseg slurm` and `medseg k8s` are asked for, whatever runs the shards: the record's fields, with the config itself and `--work` as given. */
export type ShardedRunRequest = Pick<BatchJobSpec, 'shards' | 'tasks' | 'split' | 'provider' | 'method' | 'results' | 'medseg'> & {
  config: MedsegConfig;
  /** The job folder (`--work`); default `<results>.<scheduler>`. */
  work?: string;
};

/** The record of a run for either scheduler, its folders checked; the caller adds its own resources. */
export function commonSpec(req: ShardedRunRequest, scheduler: BatchJobSpec['scheduler'], previous?: BatchJobSpec): Omit<BatchJobSpec, 'resources' | 'k8s'> {
  // Refused here, before any script is written or job submitted, not by every shard after its evaluation.
  for (const task of ['explain', 'umap'] as const) {
    if (req.tasks.includes(task)) refuseRegions(req.config, `medseg ${scheduler} --run …,${task}`, `run the shards with \`--run evaluate\` (or \`evaluate,stress\`), which work region by region.`);
  }
  const work = jobFolderOf(req.results, scheduler, req.work);
  checkFolders(req.results, work);
  return {
    version: 1,
    scheduler,
    config: req.config.file,
    config_sha256: req.config.sourceSha256 ?? '',
    experiment: req.config.name,
    shards: req.shards,
    tasks: req.tasks,
    ...(req.split ? { split: req.split } : {}),
    ...(req.provider ? { provider: req.provider } : {}),
    ...(req.method ? { method: req.method } : {}),
    results: req.results,
    work,
    medseg: req.medseg,
    submissions: previous?.submissions ?? [],
  };
}

export const JOB_FILE = 'job.json';

/** The job folder of results folder `results`: `--work`, else `<results>.slurm` (`.k8s` for Kubernetes). */
export function jobFolderOf(results: string, scheduler: BatchJobSpec['scheduler'], work?: string): string {
  return resolve(work ?? `${resolve(results)}.${scheduler}`);
}

/** Refuses a job folder that is the results folder or lies inside it or around it: the merge replaces the results folder's files. */
export function checkFolders(results: string, work: string): void {
  const inside = (a: string, b: string) => {
    const r = relative(b, a);
    return r === '' || (!r.startsWith('..') && !isAbsolute(r));
  };
  if (inside(work, results) || inside(results, work)) {
    throw new InputError(work, `The job folder ${work} and the results folder ${results} must be apart (neither inside the other): the merge replaces the results folder's files. Give another --work or --output.`, 'batch/folders-overlap');
  }
}

export function shardDir(spec: Pick<BatchJobSpec, 'work'>, index: number | string): string {
  return join(spec.work, 'shards', String(index));
}

export function logsDir(spec: Pick<BatchJobSpec, 'work'>): string {
  return join(spec.work, 'logs');
}

/** Each shard's commands, in order, as words (holding SHARD_INDEX where the shard's index goes). */
export function shardCommands(spec: BatchJobSpec): string[][] {
  const shard = ['--shard', `${SHARD_INDEX}/${spec.shards}`, '--output', shardDir(spec, SHARD_INDEX)];
  const provider = spec.provider ? ['--provider', spec.provider] : [];
  return spec.tasks.map((task) => {
    switch (task) {
      case 'evaluate':
        return [...spec.medseg, 'evaluate', spec.config, ...shard, ...(spec.split ? ['--split', spec.split] : []), ...provider];
      case 'explain':
        // Every image of the split, each in its shard: the merged rows are those of `--images all`.
        return [...spec.medseg, 'explain', spec.config, ...shard, '--images', 'all', ...(spec.method ? ['--method', spec.method] : []), ...provider];
      case 'stress':
        // The perturbations of the shard's images; the merge runs the label mixes over all of them.
        return [...spec.medseg, 'stress', spec.config, ...shard, ...(spec.split ? ['--split', spec.split] : []), ...provider];
      case 'umap':
        // The features of the shard's images on the maps (every split); the merge job embeds them all.
        return [...spec.medseg, 'umap', spec.config, ...shard, ...provider];
    }
  });
}

/** The merge's command: every shard folder, into the results folder. */
export function mergeCommand(spec: BatchJobSpec): string[] {
  const dirs = Array.from({ length: spec.shards }, (_, i) => shardDir(spec, i + 1));
  return [...spec.medseg, 'merge', ...dirs, '--output', spec.results];
}
