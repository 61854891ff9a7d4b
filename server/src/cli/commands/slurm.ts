import { join, resolve } from 'node:path';
import {
  activeJobs,
  jobFolderOf,
  logsDir,
  MERGE_SCRIPT,
  planResume,
  readJob,
  resourceProblems,
  SHARDS_SCRIPT,
  shardDir,
  SlurmClient,
  specOf,
  submitSlurmJob,
  waitForSubmission,
  writeSlurmJob,
  type BatchJobSpec,
  type JobState,
  type SlurmResources,
  type Submission,
} from '../../core/batch';
import type { SplitName } from '../../core/config/types';
import { resolveDataset } from '../../core/dataset';
import { selectCases } from '../../core/evaluate';
import { shellLine } from '../../core/util/shellWord';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { displayPath, plural } from '../format';
import { loadConfigForRun } from '../loadConfigForRun';
import { parseShardFlags, resultsOf, shardedRunOptions, shardFlagsHelp, shardSizes, thisMedseg } from './batchFlags';

export const slurmHelp = `medseg slurm <config.medseg.yaml> --shards N [options] [--submit [--wait]]
medseg slurm <config.medseg.yaml> --resume [--output DIR] [--work DIR] [resource options] [--wait]

Runs an evaluation as a Slurm array job of N shards and a merge job that starts once every shard
has succeeded (sbatch --dependency=afterok): the merged results are what one \`medseg evaluate\`
writes. Writes shards.sbatch (task K runs \`medseg evaluate --shard K+1/N\`), merge.sbatch and
job.json into the job folder; shard I's results go to <work>/shards/I/, logs to <work>/logs/.
With a shared runtime.cache, a re-run shard reuses the predictions already made.

${shardFlagsHelp}
  --work DIR                     job folder (default: <results folder>.slurm)
  --submit                       submit both jobs now (sbatch on PATH) and print their ids
  --wait                         with --submit or --resume: follow the jobs until the merge has
                                 run (its exit status is medseg's) or a shard failed (exit 3)
  --resume                       re-submit only the shards whose results are missing or stale
                                 (failed, cancelled, timed out, made from another config text or
                                 build), and a new merge after them and any shard still running

Resources (each becomes an #SBATCH line of the shards; the merge takes 1 CPU, no GPU):
  --partition P  --account A  --qos Q  --time T  --cpus C  --mem M  --gres gpu:1  --constraint F
  --max-parallel K               at most K shards at once (array throttle %K)
  --merge-time T  --merge-mem M  --merge-cpus C    the merge job's, when they differ
  --sbatch-arg OPT               any further sbatch option for both jobs (repeatable)
  --setup LINE                   a shell line run first on the nodes, e.g. "module load nodejs" (repeatable)

A shard whose medseg exits 0, 3 (finished with errors) or 4 (nothing evaluated) is complete: the
merge carries its failures and exits as a single run would. Exit status: 0 written or submitted
(with --wait: the merge's exit status); 1 the config has errors or Slurm refused; 2 usage;
3 with --wait, a shard failed and the merge did not run (resume prints what to run).`;

/** The flags of `medseg slurm` (main.ts registers them). */
export const slurmOptions = {
  ...shardedRunOptions,
  submit: { type: 'boolean' },
  wait: { type: 'boolean' },
  resume: { type: 'boolean' },
  partition: { type: 'string' },
  account: { type: 'string' },
  qos: { type: 'string' },
  time: { type: 'string' },
  cpus: { type: 'string' },
  mem: { type: 'string' },
  gres: { type: 'string' },
  constraint: { type: 'string' },
  'max-parallel': { type: 'string' },
  'merge-time': { type: 'string' },
  'merge-mem': { type: 'string' },
  'merge-cpus': { type: 'string' },
  'sbatch-arg': { type: 'string', multiple: true },
  setup: { type: 'string', multiple: true },
} as const;

/** Resource flags given on this command line (absent keys: not given). */
function resourceFlags(flags: CommandContext['flags']): SlurmResources | string {
  const f = flags as Record<string, string | string[] | boolean | undefined>;
  const whole = (name: string): number | undefined | string => {
    const text = f[name] as string | undefined;
    if (text === undefined) return undefined;
    const n = Number(text);
    return Number.isInteger(n) && n >= 1 ? n : `--${name} must be a whole number ≥ 1 (got ${text})`;
  };
  const r: SlurmResources = {};
  for (const [key, flag] of [['partition', 'partition'], ['account', 'account'], ['qos', 'qos'], ['time', 'time'], ['mem', 'mem'], ['gres', 'gres'], ['constraint', 'constraint'], ['mergeTime', 'merge-time'], ['mergeMem', 'merge-mem']] as const) {
    if (typeof f[flag] === 'string') r[key] = f[flag] as string;
  }
  for (const [key, flag] of [['cpus', 'cpus'], ['mergeCpus', 'merge-cpus'], ['maxParallel', 'max-parallel']] as const) {
    const n = whole(flag);
    if (typeof n === 'string') return n;
    if (n !== undefined) r[key] = n;
  }
  if (Array.isArray(f['sbatch-arg'])) r.sbatchArgs = f['sbatch-arg'] as string[];
  if (Array.isArray(f.setup)) r.setup = f.setup as string[];
  return r;
}

export async function runSlurm(ctx: CommandContext): Promise<number> {
  const file = ctx.positionals[0];
  if (!file || ctx.positionals.length > 1) return ctx.usage(slurmHelp);
  const shared = parseShardFlags(ctx.flags);
  if (typeof shared === 'string') return ctx.usage(`${shared}\n\n${slurmHelp}`);
  const resources = resourceFlags(ctx.flags);
  if (typeof resources === 'string') return ctx.usage(`${resources}\n\n${slurmHelp}`);
  const problems = resourceProblems(resources);
  if (problems.length > 0) return ctx.usage(`${problems.join('\n')}\n\n${slurmHelp}`);
  const resume = ctx.flags.resume === true;
  const fixed = ['run', 'split', 'method'].filter((f) => ctx.flags[f] !== undefined);
  if (resume && fixed.length > 0) return ctx.usage(`${fixed.map((f) => `--${f}`).join(', ')}: a resume re-runs the job as it was written; write a new job (another --output or --work) for other settings\n\n${slurmHelp}`);
  if (!resume && shared.shards === undefined) return ctx.usage(`--shards N is needed (or --resume for a job already written)\n\n${slurmHelp}`);
  if (ctx.flags.wait && !ctx.flags.submit && !resume) return ctx.usage(`--wait follows submitted jobs: add --submit\n\n${slurmHelp}`);

  const parsed = await loadConfigForRun(ctx, file);
  if (!parsed) return EXIT.inputErrors;
  const config = parsed.config;
  const results = resultsOf(config, ctx.flags.output as string | undefined);
  const work = jobFolderOf(results, 'slurm', ctx.flags.work as string | undefined);
  const client = new SlurmClient();
  const dataset = await resolveDataset(config, { signal: ctx.signal });
  const resumeCommand = shellLine(['medseg', 'slurm', file, '--resume', ...(ctx.flags.output ? ['--output', ctx.flags.output as string] : []), ...(ctx.flags.work ? ['--work', ctx.flags.work as string] : [])]);

  if (resume) {
    const previous = readJob(work);
    if (!previous) {
      ctx.err(`medseg slurm: error: ${work} holds no job written by \`medseg slurm\` (job.json): write and submit one with \`medseg slurm ${file} --shards N --submit\`. [batch/no-job]`);
      return EXIT.inputErrors;
    }
    if (resolve(previous.config) !== resolve(config.file)) {
      ctx.err(`medseg slurm: error: the job in ${work} is of ${previous.config}, not ${config.file}: give that config, or another --output/--work. [batch/other-config]`);
      return EXIT.inputErrors;
    }
    if (shared.shards !== undefined && shared.shards !== previous.shards) return ctx.usage(`--shards ${shared.shards} differs from the job's ${previous.shards} shards: a resume re-runs the job as it was written\n\n${slurmHelp}`);
    const spec = specOf(
      {
        config,
        shards: previous.shards,
        tasks: previous.tasks,
        split: previous.split,
        provider: shared.provider ?? previous.provider,
        method: previous.method,
        results: previous.results,
        work,
        medseg: shared.medseg ?? previous.medseg,
        resources: { ...previous.resources, ...resources },
      },
      previous,
    );
    const plan = await planResume(spec, config, dataset.cases, client);
    for (const s of plan.statuses) {
      const running = plan.running.get(s.index - 1);
      ctx.out(`  shard ${s.index}/${spec.shards}: ${s.done ? 'done' : running ? `${running.state.toLowerCase()} as job ${running.id}` : `to re-run: ${s.reason}`}`);
    }
    if (plan.nothingToDo) {
      ctx.out(plan.nothingToDo);
      return EXIT.ok;
    }
    await writeSlurmJob(spec);
    if (plan.staleMerges.length > 0) {
      await client.cancel(plan.staleMerges.map((m) => m.id));
      ctx.out(`Cancelled merge job ${plan.staleMerges.map((m) => m.id).join(', ')}: it waited for shards that failed.`);
    }
    const alsoAfter = [...plan.running.values()].map((s) => s.id);
    const submission = await submitSlurmJob(spec, client, plan.rerun, [...new Set(alsoAfter)]);
    printSubmission(ctx, spec, submission, alsoAfter.length, resumeCommand);
    return ctx.flags.wait ? waitAndReport(ctx, spec, submission, client, resumeCommand) : EXIT.ok;
  }

  const spec = specOf({ config, shards: shared.shards!, tasks: shared.tasks, split: shared.split, provider: shared.provider, method: shared.method, results, work: ctx.flags.work as string | undefined, medseg: shared.medseg ?? thisMedseg(), resources });
  const previous = readJob(spec.work);
  if (previous && ctx.flags.submit) {
    const active = await activeIds(previous, client);
    if (active.length > 0) {
      ctx.err(`medseg slurm: error: jobs of the run already in ${spec.work} are queued or running (${active.join(', ')}): wait for them, cancel them (scancel ${active.join(' ')}), or re-run what failed with \`${resumeCommand}\`. [batch/job-active]`);
      return EXIT.inputErrors;
    }
  }
  const split = (shared.split ?? config.evaluation.split) as SplitName | 'all';
  const ids = selectCases(dataset.cases, split).map((c) => c.id);
  const scripts = await writeSlurmJob(spec);
  ctx.out(`${config.name}: ${shardSizes(ids, spec.shards, split)}; each shard runs ${spec.tasks.join(' then ')}.`);
  ctx.out(`Wrote ${displayPath(scripts.shards)} (array job of ${plural(spec.shards, 'shard')}), ${displayPath(scripts.merge)} and ${displayPath(join(spec.work, 'job.json'))}.`);
  if (!ctx.flags.submit) {
    ctx.out('Submit both (the merge after every shard has succeeded) with');
    ctx.out(`  ${shellLine(['medseg', 'slurm', file, '--shards', String(spec.shards), ...(ctx.flags.output ? ['--output', ctx.flags.output as string] : []), ...(ctx.flags.work ? ['--work', ctx.flags.work as string] : []), '--submit'])}`);
    ctx.out(`or by hand: array=$(sbatch --parsable --array=0-${spec.shards - 1} ${shellLine([scripts.shards])}) && sbatch --dependency=afterok:$array ${shellLine([scripts.merge])}`);
    return EXIT.ok;
  }
  const submission = await submitSlurmJob(spec, client, Array.from({ length: spec.shards }, (_, i) => i));
  printSubmission(ctx, spec, submission, 0, resumeCommand);
  return ctx.flags.wait ? waitAndReport(ctx, spec, submission, client, resumeCommand) : EXIT.ok;
}

async function activeIds(job: BatchJobSpec, client: SlurmClient): Promise<string[]> {
  const active = await activeJobs(job, client);
  return [...new Set([...[...active.tasks.values()].map((s) => s.id), ...active.merges.map((m) => m.id)])];
}

function printSubmission(ctx: CommandContext, spec: BatchJobSpec, s: Submission, runningElsewhere: number, resumeCommand: string): void {
  const shards = s.tasks.map((t) => t + 1);
  if (s.array) ctx.out(`Submitted array job ${s.array}: ${shards.length === spec.shards ? `all ${spec.shards} shards` : `shard${shards.length > 1 ? 's' : ''} ${shards.join(', ')} of ${spec.shards}`} (task K runs shard K+1).`);
  ctx.out(`Submitted merge job ${s.merge}${s.array || runningElsewhere ? `, which runs once ${s.array ? `array ${s.array}` : ''}${s.array && runningElsewhere ? ' and ' : ''}${runningElsewhere ? `${plural(runningElsewhere, 'running shard')}` : ''} succeeded` : ' now'}.`);
  ctx.out(`Shard results: ${displayPath(shardDir(spec, '<I>'))}/   logs: ${displayPath(logsDir(spec))}/`);
  const extra = [...(spec.tasks.includes('explain') ? ['explain.json'] : []), ...(spec.tasks.includes('stress') ? ['stress.json'] : []), ...(spec.tasks.includes('umap') ? ['umap.json'] : [])];
  ctx.out(`Merged results will be in ${displayPath(spec.results)}/ (report.html, per_image.csv, summary.json${extra.map((f) => `, ${f}`).join('')}).`);
  ctx.out(`Follow with: squeue -j ${[s.array, s.merge].filter(Boolean).join(',')}    if a shard fails: ${resumeCommand}`);
}

async function waitAndReport(ctx: CommandContext, spec: BatchJobSpec, submission: Submission, client: SlurmClient, resumeCommand: string): Promise<number> {
  const outcome = await waitForSubmission(submission, client, { signal: ctx.signal, onState: (states) => ctx.progress(stateLine(states, submission)) });
  if (outcome.kind === 'shards-failed') {
    for (const f of outcome.failed) ctx.err(`shard ${f.index}/${spec.shards} ${f.state.toLowerCase()}${f.exitCode ? ` (exit status ${f.exitCode})` : ''}: log ${displayPath(join(logsDir(spec), `shard-${submission.array}_${f.index - 1}.out`))}`);
    ctx.err(`The merge job ${submission.merge} did not run (cancelled: it waited for shards that failed). Fix the cause, then re-run only the failed shards and the merge with:\n  ${resumeCommand}`);
    ctx.err(`(or one shard by hand: sbatch --array=${outcome.failed.map((f) => f.index - 1).join(',')} ${shellLine([join(spec.work, SHARDS_SCRIPT)])}, then sbatch ${shellLine([join(spec.work, MERGE_SCRIPT)])})`);
    return EXIT.finishedWithErrors;
  }
  const log = displayPath(join(logsDir(spec), `merge-${submission.merge}.out`));
  if (outcome.mergeState && outcome.mergeState !== 'COMPLETED' && outcome.mergeExit === undefined) {
    ctx.err(`The merge job ${submission.merge} ended ${outcome.mergeState.toLowerCase()}: log ${log}.`);
    return EXIT.finishedWithErrors;
  }
  const exit = outcome.mergeExit ?? 0;
  ctx.out(`Merge job ${submission.merge} ended with exit status ${exit}${outcome.mergeState ? ` (${outcome.mergeState.toLowerCase()})` : ''}: results in ${displayPath(spec.results)}/ (log ${log}).`);
  return exit;
}

function stateLine(states: readonly JobState[], s: Submission): string {
  const counts = new Map<string, number>();
  for (const st of states) if (st.id.startsWith(`${s.array}_`)) counts.set(st.state.toLowerCase(), (counts.get(st.state.toLowerCase()) ?? 0) + (st.tasks?.length ?? 1));
  const merge = states.find((st) => st.id === s.merge);
  return `shards: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ') || '–'}; merge ${merge ? merge.state.toLowerCase() : 'done'}`;
}

