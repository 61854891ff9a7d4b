/**
 * `medseg`: the command line over the engine. Parsing and printing only; every computation is in
 * server/src/core. Exit status (exitCodes.ts, the same for every command):
 *   0   all done (warnings may have been printed)
 *   1   the config or its input has errors; nothing ran (`validate`: error findings)
 *   2   usage
 *   3   finished with errors: results written, but some images or models failed or were skipped
 *       (summary.json `failures` and `skipped_models`, report.html)
 *   4   nothing evaluated: no case in the split, every model skipped, every image failed
 *   70  internal error (a bug: the stack is printed)
 *   74  an output could not be written (read-only, disk full, a file in the way): the finding
 *       names the path and the fix (`--output`, `--out`, `runtime.cache`)
 *   130 interrupted
 */
import { parseArgs } from 'node:util';
import { toWriteError, WriteError } from '../core/io/writeErrors';
import { maxOf } from '../core/util/arrays';
import { ENGINE_VERSION } from '../core/version';
import { compareHelp, runCompare } from './commands/compare';
import { evaluateHelp, runEvaluate } from './commands/evaluate';
import { mergeHelp, runMerge } from './commands/merge';
import { explainHelp, runExplain, runUmap, umapHelp } from './commands/explain';
import { k8sHelp, k8sOptions, runK8s } from './commands/k8s';
import { runSlurm, slurmHelp, slurmOptions } from './commands/slurm';
import { runSplit, splitHelp } from './commands/split';
import { runStressCommand, stressHelp } from './commands/stress';
import { runValidate, validateHelp } from './commands/validate';
import type { CommandContext } from './context';
import { EXIT } from './exitCodes';
import { formatFinding } from './format';
import { createProgress } from './progress';

interface Command {
  summary: string;
  help: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  run(ctx: CommandContext): Promise<number>;
}

const commands: Record<string, Command> = {
  validate: {
    summary: 'check a config, its dataset, models and splits',
    help: validateHelp,
    options: { json: { type: 'boolean' } },
    run: runValidate,
  },
  split: {
    summary: 'propose a train/val/test split (grouped, stratified, balanced) and write it as a CSV',
    help: splitHelp,
    options: { seed: { type: 'string' }, tries: { type: 'string' }, out: { type: 'string' } },
    run: runSplit,
  },
  evaluate: {
    summary: 'run the models, compute metrics and confidence intervals, write results',
    help: evaluateHelp,
    options: { split: { type: 'string' }, output: { type: 'string' }, provider: { type: 'string' }, shard: { type: 'string' }, json: { type: 'boolean' } },
    run: runEvaluate,
  },
  compare: {
    summary: 're-run the statistics on stored results (no inference)',
    help: compareHelp,
    options: { alpha: { type: 'string' }, correction: { type: 'string' } },
    run: runCompare,
  },
  merge: {
    summary: 'combine the shards of `evaluate --shard I/N` into one result',
    help: mergeHelp,
    options: { output: { type: 'string' }, json: { type: 'boolean' } },
    run: runMerge,
  },
  k8s: {
    summary: 'write an evaluation as a Kubernetes Indexed Job of shards and a merge Job',
    help: k8sHelp,
    options: k8sOptions,
    run: runK8s,
  },
  slurm: {
    summary: 'run an evaluation as a Slurm array job of shards and a dependent merge job',
    help: slurmHelp,
    options: slurmOptions,
    run: runSlurm,
  },
  stress: {
    summary: 'stress tests: skewed label mixes and image perturbations, and where the ranking of models changes',
    help: stressHelp,
    options: {
      split: { type: 'string' },
      label: { type: 'string' },
      repeats: { type: 'string' },
      perturbations: { type: 'string' },
      output: { type: 'string' },
      provider: { type: 'string' },
      shard: { type: 'string' },
      json: { type: 'boolean' },
    },
    run: runStressCommand,
  },
  explain: {
    summary: 'Grad-CAM / Score-CAM / Eigen-CAM heatmaps and how much heat lies on the lesion',
    help: explainHelp,
    options: { method: { type: 'string' }, images: { type: 'string' }, output: { type: 'string' }, provider: { type: 'string' }, shard: { type: 'string' }, 'list-layers': { type: 'boolean' }, json: { type: 'boolean' } },
    run: runExplain,
  },
  umap: {
    summary: 'UMAP maps of images and model features, with out-of-distribution test images',
    help: umapHelp,
    options: { output: { type: 'string' }, provider: { type: 'string' }, shard: { type: 'string' }, json: { type: 'boolean' } },
    run: runUmap,
  },
};

function mainHelp(): string {
  const width = maxOf(Object.keys(commands).map((c) => c.length), 0);
  return [
    'medseg: evaluate medical image segmentation models (MedSeg Eval)',
    '',
    'usage: medseg <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `medseg <command> --help` for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write(`${ENGINE_VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`medseg: unknown command \`${name}\`\n\n${mainHelp()}\n`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`medseg ${name}: ${(err as Error).message}\n\n${command.help}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  const progress = createProgress(process.stderr);
  const ctx: CommandContext = {
    positionals: parsed.positionals,
    flags: parsed.values as CommandContext['flags'],
    signal: controller.signal,
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => {
      progress.clear();
      process.stderr.write(line + '\n');
    },
    progress: (message, fraction) => progress.update(message, fraction),
    usage: (help) => {
      process.stderr.write(help + '\n');
      return EXIT.usage;
    },
  };
  try {
    return await command.run(ctx);
  } catch (err) {
    progress.clear();
    if (controller.signal.aborted) {
      process.stderr.write('medseg: interrupted; what was finished is kept.\n');
      return EXIT.interrupted;
    }
    // A destination that cannot be written is the user's to fix, not a bug: path, cause and fix.
    const write = toWriteError(err);
    if (write instanceof WriteError) {
      process.stderr.write(`${formatFinding(write.toFinding())}\n`);
      return EXIT.cannotWrite;
    }
    const e = err as Error & { code?: unknown; file?: unknown };
    if (e.name === 'InputError' || e.name === 'ProviderUnavailableError') {
      // Input the user must fix (a provider asked for explicitly but missing, …): the message says how.
      process.stderr.write(`medseg ${name}: error: ${e.message}${typeof e.code === 'string' ? ` [${e.code}]` : ''}\n`);
      return EXIT.inputErrors;
    }
    // Bad input reaches the user as findings; an exception here is a bug in medseg itself.
    process.stderr.write(`medseg ${name}: internal error: ${(err as Error).stack ?? String(err)}\nPlease report this with the command line above.\n`);
    return EXIT.internal;
  } finally {
    progress.clear();
    process.removeListener('SIGINT', onSigint);
  }
}
