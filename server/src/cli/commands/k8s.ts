import { dirname, resolve } from 'node:path';
import { jobFolderOf, jobNameOf, K8S_MERGE_FILE, k8sOptionProblems, k8sSpecOf, readJob, shardStatuses, writeK8sJob, type K8sOptions } from '../../core/batch';
import type { SplitName } from '../../core/config/types';
import { resolveDataset } from '../../core/dataset';
import { selectCases } from '../../core/evaluate';
import { shellLine } from '../../core/util/shellWord';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { displayPath, plural } from '../format';
import { loadConfigForRun } from '../loadConfigForRun';
import { parseShardFlags, resultsOf, shardedRunOptions, shardFlagsHelp, shardSizes } from './batchFlags';

export const k8sHelp = `medseg k8s <config.medseg.yaml> --shards N --image IMAGE --claim PVC [options]
medseg k8s <config.medseg.yaml> --resume [--output DIR] [--work DIR]

Writes a sharded evaluation as Kubernetes Jobs into the job folder (<results folder>.k8s): shards.yaml,
an Indexed Job whose pod with completion index K runs \`medseg evaluate --shard K+1/N\` (a failed
index is retried alone, --retries times), merge.yaml, the merge Job to apply once every shard has
completed, and run.sh, which applies one, waits, and applies the other (kubectl). Both Jobs are
checked against Kubernetes' batch/v1 Job schema before they are written. Nothing is applied here.
The study folder (config, data, results) is a PersistentVolumeClaim mounted in every pod.

${shardFlagsHelp.replace(/--medseg "CMD"[\s\S]*$/, '--medseg "CMD"                 how the pods run medseg (default: medseg)')}
  --work DIR                     job folder (default: <results folder>.k8s)
  --image IMAGE                  container image with medseg (this repository after npm ci)
  --claim PVC                    PersistentVolumeClaim that holds the study folder
  --mount PATH                   where the pods mount it (default: /study)
  --root DIR                     the local folder the claim holds (default: the config's folder);
                                 config, data, --output and --work must lie under it
  --namespace NS  --service-account SA  --name PREFIX (Job names; default medseg-<name>)
  --parallelism P                pods at once (default: every shard)
  --retries K                    retries of a failed shard (backoffLimitPerIndex, default 1)
  --cpus C  --mem M  --gpus G    per shard pod (Kubernetes quantities: 4, 500m, 16Gi; nvidia.com/gpu)
  --resume                       Jobs for only the shards whose results are missing or stale (this
                                 machine must see the shard folders under --root)

Exit status: 0 written; 1 the config has errors or a path is off the volume; 2 usage.`;

export const k8sOptions = {
  ...shardedRunOptions,
  image: { type: 'string' },
  claim: { type: 'string' },
  mount: { type: 'string' },
  root: { type: 'string' },
  namespace: { type: 'string' },
  'service-account': { type: 'string' },
  name: { type: 'string' },
  parallelism: { type: 'string' },
  retries: { type: 'string' },
  cpus: { type: 'string' },
  mem: { type: 'string' },
  gpus: { type: 'string' },
  resume: { type: 'boolean' },
} as const;

function number(text: unknown): number | undefined {
  return typeof text === 'string' ? Number(text) : undefined;
}

export async function runK8s(ctx: CommandContext): Promise<number> {
  const file = ctx.positionals[0];
  if (!file || ctx.positionals.length > 1) return ctx.usage(k8sHelp);
  const shared = parseShardFlags(ctx.flags);
  if (typeof shared === 'string') return ctx.usage(`${shared}\n\n${k8sHelp}`);
  const resume = ctx.flags.resume === true;
  const fixed = ['run', 'split', 'method'].filter((f) => ctx.flags[f] !== undefined);
  if (resume && fixed.length > 0) return ctx.usage(`${fixed.map((f) => `--${f}`).join(', ')}: a resume re-runs the job as it was written; write a new job (another --output or --work) for other settings\n\n${k8sHelp}`);
  if (!resume && (shared.shards === undefined || !ctx.flags.image || !ctx.flags.claim)) return ctx.usage(`--shards N, --image IMAGE and --claim PVC are needed (or --resume for a job already written)\n\n${k8sHelp}`);

  const parsed = await loadConfigForRun(ctx, file);
  if (!parsed) return EXIT.inputErrors;
  const config = parsed.config;
  const results = resultsOf(config, ctx.flags.output as string | undefined);
  const work = jobFolderOf(results, 'k8s', ctx.flags.work as string | undefined);
  const previous = readJob(work);
  if (resume && !previous?.k8s) {
    ctx.err(`medseg k8s: error: ${work} holds no job written by \`medseg k8s\` (job.json): write one with \`medseg k8s ${file} --shards N --image IMAGE --claim PVC\`. [batch/no-job]`);
    return EXIT.inputErrors;
  }
  const given: Partial<K8sOptions> = {
    ...(ctx.flags.image !== undefined ? { image: ctx.flags.image as string } : {}),
    ...(ctx.flags.claim !== undefined ? { claim: ctx.flags.claim as string } : {}),
    ...(ctx.flags.mount !== undefined ? { mount: ctx.flags.mount as string } : {}),
    ...(ctx.flags.root !== undefined ? { root: resolve(ctx.flags.root as string) } : {}),
    ...(ctx.flags.namespace !== undefined ? { namespace: ctx.flags.namespace as string } : {}),
    ...(ctx.flags['service-account'] !== undefined ? { serviceAccount: ctx.flags['service-account'] as string } : {}),
    ...(ctx.flags.name !== undefined ? { name: ctx.flags.name as string } : {}),
    ...(ctx.flags.parallelism !== undefined ? { parallelism: number(ctx.flags.parallelism) } : {}),
    ...(ctx.flags.retries !== undefined ? { retries: number(ctx.flags.retries) } : {}),
    ...(ctx.flags.cpus !== undefined ? { cpu: ctx.flags.cpus as string } : {}),
    ...(ctx.flags.mem !== undefined ? { memory: ctx.flags.mem as string } : {}),
    ...(ctx.flags.gpus !== undefined ? { gpus: number(ctx.flags.gpus) } : {}),
  };
  const k8s: K8sOptions = { mount: '/study', root: dirname(config.file), retries: 1, ...(previous?.k8s ?? {}), ...given } as K8sOptions;
  const problems = k8sOptionProblems(k8s);
  if (problems.length > 0) return ctx.usage(`${problems.join('\n')}\n\n${k8sHelp}`);
  const resumeCommand = shellLine(['medseg', 'k8s', file, '--resume', ...(ctx.flags.output ? ['--output', ctx.flags.output as string] : []), ...(ctx.flags.work ? ['--work', ctx.flags.work as string] : [])]);
  const dataset = await resolveDataset(config, { signal: ctx.signal });

  if (resume && previous) {
    const spec = k8sSpecOf({ config, shards: previous.shards, tasks: previous.tasks, split: previous.split, provider: shared.provider ?? previous.provider, method: previous.method, results: previous.results, work, medseg: shared.medseg ?? previous.medseg, k8s }, previous);
    const statuses = await shardStatuses(spec, config, dataset.cases);
    for (const s of statuses) ctx.out(`  shard ${s.index}/${spec.shards}: ${s.done ? 'done' : `to re-run: ${s.reason}`}`);
    const rerun = statuses.filter((s) => !s.done).map((s) => s.index);
    if (rerun.length === 0) {
      const last = spec.submissions.length - 1;
      const mergeName = `${k8s.name ?? jobNameOf(spec.experiment)}-merge${last > 0 ? `-${last}` : ''}`;
      ctx.out(`Every shard is done; merge them with: kubectl delete job ${mergeName}${k8s.namespace ? ` -n ${k8s.namespace}` : ''} --ignore-not-found && kubectl apply -f ${shellLine([resolve(work, K8S_MERGE_FILE)])}`);
      return EXIT.ok;
    }
    const written = await writeK8sJob(spec, resumeCommand, rerun);
    ctx.out(`Wrote ${displayPath(written.files.shards)} (Indexed Job ${written.manifests.shardsName}: ${plural(rerun.length, 'shard')}, ${rerun.join(', ')}), ${displayPath(written.files.merge)} (${written.manifests.mergeName}) and ${displayPath(written.files.run)}.`);
    ctx.out(`Run them: sh ${shellLine([written.files.run])}`);
    return EXIT.ok;
  }

  const spec = k8sSpecOf({ config, shards: shared.shards!, tasks: shared.tasks, split: shared.split, provider: shared.provider, method: shared.method, results, work: ctx.flags.work as string | undefined, medseg: shared.medseg ?? ['medseg'], k8s });
  const written = await writeK8sJob(spec, resumeCommand);
  const split = (shared.split ?? config.evaluation.split) as SplitName | 'all';
  ctx.out(`${config.name}: ${shardSizes(selectCases(dataset.cases, split).map((c) => c.id), spec.shards, split)}; each shard runs ${spec.tasks.join(' then ')}.`);
  ctx.out(`Wrote ${displayPath(written.files.shards)} (Indexed Job ${written.manifests.shardsName}, ${plural(spec.shards, 'completion')}), ${displayPath(written.files.merge)} (Job ${written.manifests.mergeName}) and ${displayPath(written.files.run)}; both Jobs fit the batch/v1 Job schema.`);
  ctx.out(`The pods mount claim ${k8s.claim} at ${k8s.mount} (${displayPath(k8s.root)} here); merged results will be in ${displayPath(spec.results)}/.`);
  ctx.out(`Run: sh ${shellLine([written.files.run])}    (kubectl apply -f shards.yaml, wait, kubectl apply -f merge.yaml); if a shard fails: ${resumeCommand}`);
  return EXIT.ok;
}
