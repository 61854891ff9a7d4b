/**
 * A sharded run as Kubernetes Jobs: an Indexed Job whose pod with completion index K runs shard
 * K+1 of N (Kubernetes retries a failed index alone, `backoffLimitPerIndex` times), and a merge Job
 * to apply once it has completed (Kubernetes has no dependency between Jobs; run.sh waits). The
 * study folder is a PersistentVolumeClaim mounted in every pod; paths under it are written as the
 * pods see them. Each Job is checked against the batch/v1 Job schema (kubernetes-models, generated
 * from Kubernetes' OpenAPI) and the name and quantity rules the API server applies.
 */
import { basename, isAbsolute, posix, relative } from 'node:path';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { InputError } from '../findings';
import { shellWord } from '../util/shellWord';
import { ENGINE_BUILD, ENGINE_VERSION } from '../version';
import { mergeCommand, type BatchJobSpec } from './jobSpec';
import { shardSteps, shellCommand } from './sbatchScripts';

export interface K8sOptions {
  /** The container image: medseg installed (this repository after `npm ci`). */
  image: string;
  namespace?: string;
  /** The PersistentVolumeClaim holding the study folder (config, data, results). */
  claim: string;
  /** Where the pods mount it. */
  mount: string;
  /** The local folder the claim holds: paths under it are written as `<mount>/…`. */
  root: string;
  /** Pods at once (default: every shard). */
  parallelism?: number;
  /** Retries of a failed shard before its index counts as failed. */
  retries: number;
  /** Per shard pod: CPU and memory (Kubernetes quantities), GPUs (`nvidia.com/gpu`). */
  cpu?: string;
  memory?: string;
  gpus?: number;
  serviceAccount?: string;
  /** Job name prefix (default `medseg-<experiment>`). */
  name?: string;
}

// In backquotes: test/lsp/server.test.ts reads every quoted 'batch/…' string as a finding code.
const JOB_API_VERSION = `batch/v1` as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// The API server's resource.Quantity: a decimal or binary-SI number (`500m`, `2`, `16Gi`, `1e3`).
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[munkMGTPE]|[KMGTPE]i)?$/;

/** A Job name from the experiment: lower case, `[a-z0-9-]`, short enough for pod host names `<job>-<index>`. */
export function jobNameOf(experiment: string): string {
  const cleaned = `medseg-${experiment}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return cleaned.slice(0, 40).replace(/-$/, '');
}

export function k8sOptionProblems(o: K8sOptions): string[] {
  const problems: string[] = [];
  if (!o.image || /\s/.test(o.image)) problems.push(`--image must name a container image (got ${JSON.stringify(o.image)})`);
  if (!DNS_LABEL.test(o.claim) || o.claim.length > 253) problems.push(`--claim ${JSON.stringify(o.claim)} is not a PersistentVolumeClaim name (lower-case letters, digits and -)`);
  if (o.namespace !== undefined && (!DNS_LABEL.test(o.namespace) || o.namespace.length > 63)) problems.push(`--namespace ${JSON.stringify(o.namespace)} is not a namespace name (lower-case letters, digits and -, at most 63)`);
  if (o.serviceAccount !== undefined && !DNS_LABEL.test(o.serviceAccount)) problems.push(`--service-account ${JSON.stringify(o.serviceAccount)} is not a service account name`);
  if (o.name !== undefined && (!DNS_LABEL.test(o.name) || o.name.length > 40)) problems.push(`--name ${JSON.stringify(o.name)} is not a Job name prefix (lower-case letters, digits and -, at most 40 characters)`);
  if (!posix.isAbsolute(o.mount) || /[\0\n]/.test(o.mount)) problems.push(`--mount must be an absolute path in the pods (got ${JSON.stringify(o.mount)})`);
  if (o.cpu !== undefined && !QUANTITY.test(o.cpu)) problems.push(`--cpus ${JSON.stringify(o.cpu)} is not a Kubernetes quantity (e.g. 4 or 500m)`);
  if (o.memory !== undefined && !QUANTITY.test(o.memory)) problems.push(`--mem ${JSON.stringify(o.memory)} is not a Kubernetes quantity (e.g. 16Gi or 4000M)`);
  for (const [flag, n, min] of [['--gpus', o.gpus, 0], ['--parallelism', o.parallelism, 1], ['--retries', o.retries, 0]] as const) {
    if (n !== undefined && !(Number.isInteger(n) && n >= min)) problems.push(`${flag} must be a whole number ≥ ${min} (got ${n})`);
  }
  return problems;
}

/** `path` (local, absolute) as the pods see it: under the claim's mount. */
export function podPath(path: string, o: Pick<K8sOptions, 'root' | 'mount'>): string {
  const rel = relative(o.root, path);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(path, `${path} is not inside ${o.root}, the folder the volume claim holds (--root): the pods could not see it. Keep the config, data, --output and --work under --root.`, 'batch/outside-volume');
  }
  return rel === '' ? o.mount : posix.join(o.mount, rel.split(/[\\/]/).join('/'));
}

/** The spec with every path as the pods see it. */
export function podSpec(spec: BatchJobSpec, o: K8sOptions): BatchJobSpec {
  return { ...spec, config: podPath(spec.config, o), results: podPath(spec.results, o), work: podPath(spec.work, o) };
}

function podTemplate(o: K8sOptions, name: string, script: string, shard: boolean): NonNullable<IJob['spec']>['template'] {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = limits.cpu = shard ? o.cpu : '1';
  if (o.memory) requests.memory = limits.memory = o.memory;
  if (shard && o.gpus) limits['nvidia.com/gpu'] = String(o.gpus);
  return {
    metadata: { labels: { 'app.kubernetes.io/name': 'medseg', 'app.kubernetes.io/instance': name } },
    spec: {
      restartPolicy: 'Never',
      ...(o.serviceAccount ? { serviceAccountName: o.serviceAccount } : {}),
      containers: [
        {
          name: 'medseg',
          image: o.image,
          command: ['sh', '-c', script],
          ...(Object.keys(limits).length > 0 ? { resources: { ...(Object.keys(requests).length > 0 ? { requests } : {}), limits } } : {}),
          volumeMounts: [{ name: 'study', mountPath: o.mount }],
        },
      ],
      volumes: [{ name: 'study', persistentVolumeClaim: { claimName: o.claim } }],
    },
  };
}

export interface K8sManifests {
  shards: IJob;
  merge: IJob;
  /** The Job names (the shards' carries a suffix when it runs a subset, so it can sit beside the first). */
  shardsName: string;
  mergeName: string;
}

/**
 * The Jobs of `spec` (local paths; mapped here). `shards` (1-based) limits the Indexed Job to those
 * shards, for a resume: completion index K then runs the K-th of them.
 */
export function k8sManifests(spec: BatchJobSpec, o: K8sOptions, shards?: readonly number[], attempt = 0): K8sManifests {
  const pod = podSpec(spec, o);
  const base = o.name ?? jobNameOf(spec.experiment);
  const shardsName = `${base}-shards${attempt > 0 ? `-${attempt}` : ''}`;
  const mergeName = `${base}-merge${attempt > 0 ? `-${attempt}` : ''}`;
  const list = shards ?? Array.from({ length: spec.shards }, (_, i) => i + 1);
  const index = shards
    ? // The K-th shard of the list: POSIX sh has no arrays, so the list is positional parameters.
      [`set -- ${list.join(' ')}`, 'shift "$JOB_COMPLETION_INDEX"', 'I=$1']
    : ['I=$((JOB_COMPLETION_INDEX + 1))'];
  const shardScript = [
    `# medseg ${ENGINE_VERSION} (build ${ENGINE_BUILD}): shard $I of ${spec.shards} of ${pod.config}`,
    'set -u',
    ...index,
    `echo "medseg shard $I/${spec.shards} in pod $(hostname)"`,
    ...shardSteps(pod, 'medseg k8s --resume'),
  ].join('\n');
  const mergeScript = [`# medseg ${ENGINE_VERSION} (build ${ENGINE_BUILD}): merge of the ${spec.shards} shards into ${pod.results}`, 'set -u', `exec ${shellCommand(mergeCommand(pod))}`].join('\n');
  const metadata = (name: string) => ({ name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: { 'app.kubernetes.io/name': 'medseg', 'app.kubernetes.io/instance': base } });
  const shardsJob: IJob = {
    apiVersion: JOB_API_VERSION,
    kind: 'Job',
    metadata: metadata(shardsName),
    spec: {
      completionMode: 'Indexed',
      completions: list.length,
      parallelism: Math.min(o.parallelism ?? list.length, list.length),
      backoffLimitPerIndex: o.retries,
      template: podTemplate(o, shardsName, shardScript, true),
    },
  };
  const mergeJob: IJob = {
    apiVersion: JOB_API_VERSION,
    kind: 'Job',
    metadata: metadata(mergeName),
    spec: { completions: 1, backoffLimit: 0, template: podTemplate(o, mergeName, mergeScript, false) },
  };
  return { shards: shardsJob, merge: mergeJob, shardsName, mergeName };
}

/** The schema's complaints about a Job (empty when Kubernetes' batch/v1 Job schema accepts it). */
export async function jobSchemaProblems(job: IJob): Promise<string[]> {
  // kubernetes-models ships ES modules only; a dynamic import loads them from CommonJS too.
  const { Job } = await import('kubernetes-models/batch/v1/Job');
  try {
    new Job(job).validate();
    return [];
  } catch (err) {
    return (err as Error).message.split(', ');
  }
}

/** run.sh: applies the shards' Job, waits for it, then applies the merge and waits for that. */
export function runScript(m: K8sManifests, o: K8sOptions, files: { shards: string; merge: string }, resumeCommand: string): string {
  const ns = o.namespace ? ` -n ${shellWord(o.namespace)}` : '';
  return [
    '#!/bin/sh',
    `# Written by \`medseg k8s\` (medseg ${ENGINE_VERSION}): the shards' Indexed Job, then the merge once every shard has completed.`,
    'set -eu',
    'cd "$(dirname "$0")"',
    '# Waits for a Job to complete (exit 0) or fail (exit 1).',
    'wait_job() {',
    '  while :; do',
    `    state=$(kubectl get job "$1"${ns} -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')`,
    '    case " $state " in',
    '      *" Complete "*) return 0 ;;',
    '      *" Failed "*) return 1 ;;',
    '    esac',
    '    sleep 10',
    '  done',
    '}',
    `kubectl apply${ns} -f ${shellWord(basename(files.shards))}`,
    `if ! wait_job ${m.shardsName}; then`,
    `  echo "Shards failed (indexes: $(kubectl get job ${m.shardsName}${ns} -o jsonpath='{.status.failedIndexes}')); the merge is not applied. Fix the cause, then: ${resumeCommand.replace(/"/g, '\\"')}" >&2`,
    '  exit 1',
    'fi',
    `kubectl apply${ns} -f ${shellWord(basename(files.merge))}`,
    `wait_job ${m.mergeName}`,
    '',
  ].join('\n');
}
