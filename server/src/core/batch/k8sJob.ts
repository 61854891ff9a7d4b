/**
 * `medseg k8s`: writes the shards' Indexed Job, the merge Job and run.sh (apply, wait, apply the
 * merge) into the job folder, each Job checked against the batch/v1 schema first; `--resume`
 * writes Jobs for only the shards whose results are missing or stale.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../findings';
import { writeFileAtomic } from '../io';
import { ENGINE_BUILD, ENGINE_VERSION } from '../version';
import { commonSpec, JOB_FILE, type BatchJobSpec, type ShardedRunRequest } from './jobSpec';
import { jobSchemaProblems, k8sManifests, k8sOptionProblems, podPath, runScript, type K8sManifests, type K8sOptions } from './k8sManifests';

export const K8S_SHARDS_FILE = 'shards.yaml';
export const K8S_MERGE_FILE = 'merge.yaml';
export const K8S_RUN_FILE = 'run.sh';

export interface K8sJobRequest extends ShardedRunRequest {
  k8s: K8sOptions;
}

export function k8sSpecOf(req: K8sJobRequest, previous?: BatchJobSpec): BatchJobSpec {
  const problems = k8sOptionProblems(req.k8s);
  if (problems.length > 0) throw new InputError(req.config.file, `${problems.join('; ')}.`, 'batch/invalid-option');
  const spec: BatchJobSpec = { ...commonSpec(req, 'k8s', previous), resources: {}, k8s: req.k8s };
  // Every path the pods use must be on the volume: refused here, not when a pod cannot find it.
  for (const path of [spec.config, spec.results, spec.work, req.config.dir]) podPath(path, req.k8s);
  return spec;
}

export interface WrittenK8sJob {
  manifests: K8sManifests;
  files: { shards: string; merge: string; run: string; job: string };
}

/**
 * Writes the Jobs (all shards, or `shards` (1-based) for a resume) and run.sh. A Job the schema
 * refuses is a bug here or an option the checks missed: it is refused, nothing written.
 */
export async function writeK8sJob(spec: BatchJobSpec, resumeCommand: string, shards?: readonly number[]): Promise<WrittenK8sJob> {
  const o = spec.k8s!;
  // Jobs are immutable: each writing after the first gets names of its own (`-shards-1`, …).
  const attempt = spec.submissions.length;
  const manifests = k8sManifests(spec, o, shards, attempt);
  for (const job of [manifests.shards, manifests.merge]) {
    const problems = await jobSchemaProblems(job);
    if (problems.length > 0) throw new InputError(spec.work, `The Job ${job.metadata?.name} does not fit Kubernetes' batch/v1 Job schema: ${problems.join('; ')}. Check --image, --claim, --cpus, --mem and --gpus.`, 'batch/invalid-option');
  }
  const header = (what: string) => `# ${what}\n# Written by \`medseg k8s\` (medseg ${ENGINE_VERSION}, build ${ENGINE_BUILD}) for ${spec.config}.\n`;
  const files = { shards: join(spec.work, K8S_SHARDS_FILE), merge: join(spec.work, K8S_MERGE_FILE), run: join(spec.work, K8S_RUN_FILE), job: join(spec.work, JOB_FILE) };
  await mkdir(spec.work, { recursive: true });
  await writeFileAtomic(files.shards, header(`Indexed Job: completion index K runs shard ${shards ? `number K+1 of (${shards.join(', ')})` : 'K+1'} of ${spec.shards}.`) + stringify(manifests.shards, { lineWidth: 0 }));
  await writeFileAtomic(files.merge, header(`The merge: apply once ${manifests.shardsName} has completed (run.sh does).`) + stringify(manifests.merge, { lineWidth: 0 }));
  await writeFileAtomic(files.run, runScript(manifests, o, files, resumeCommand));
  await chmod(files.run, 0o755);
  spec.submissions.push({ time: new Date().toISOString(), tasks: (shards ?? Array.from({ length: spec.shards }, (_, i) => i + 1)).map((s) => s - 1) });
  await writeFileAtomic(files.job, JSON.stringify(spec, null, 2) + '\n');
  return { manifests, files };
}
