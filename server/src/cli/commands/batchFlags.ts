/** Flags shared by the batch-job commands (`medseg slurm`, `medseg k8s`): shards, tasks and the run's own flags. */
import { resolve } from 'node:path';
import type { MedsegConfig } from '../../core/config/types';
import { SHARD_TASKS, type ShardTask } from '../../core/batch';
import { shardOf } from '../../core/evaluate';
import { CAM_METHODS } from '../../core/explain';
import { resultsFolderOf } from '../../core/results/resultPath';
import type { CommandContext } from '../context';
import { plural } from '../format';
import { outputFlagHelp } from './outputFlag';

export const SPLITS = ['train', 'val', 'test', 'all'];

/** The flags `medseg slurm` and `medseg k8s` share (parseShardFlags reads them). */
export const shardedRunOptions = {
  shards: { type: 'string' },
  output: { type: 'string' },
  work: { type: 'string' },
  run: { type: 'string' },
  split: { type: 'string' },
  provider: { type: 'string' },
  method: { type: 'string' },
  medseg: { type: 'string' },
} as const;
export const PROVIDERS = ['auto', 'cpu', 'cuda', 'webgpu'];

export const shardFlagsHelp = `  --shards N                     number of shards (each a 1/N of the split's images, by a hash of the id)
${outputFlagHelp(33, 'merged results')}
  --run evaluate[,explain][,stress][,umap]  what each shard runs (default: evaluate): explain
                                 runs \`medseg explain --images all\` on the shard's images, stress
                                 the perturbations of its images, umap extracts the UMAP features
                                 of its images (\`medseg umap --shard\`); the merge joins them (and
                                 runs the label mixes over all images, and the UMAP embedding of
                                 every image's features: give the merge job the time and memory
                                 of one \`medseg umap\`'s layout with --merge-time/--merge-mem)
  --split train|val|test|all     split to evaluate (default: evaluation.split)
  --provider auto|cpu|cuda|webgpu  execution provider on the nodes (default: runtime.provider)
  --method M                     explanation method, with --run …explain (default: explain.gradcam.method)
  --medseg "CMD"                 how the nodes run medseg (default: this node and this medseg's
                                 cli.js by absolute path; the nodes must see the same files)`;

export interface ShardFlags {
  shards?: number;
  tasks: ShardTask[];
  split?: string;
  provider?: string;
  method?: string;
  medseg?: string[];
}

/** The shared flags, or an error text for the usage message. */
export function parseShardFlags(flags: CommandContext['flags']): ShardFlags | string {
  const shardsText = flags.shards as string | undefined;
  const shards = shardsText === undefined ? undefined : Number(shardsText);
  if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1 && shards <= 10000)) return `--shards must be a whole number from 1 to 10000 (got ${shardsText})`;
  const tasks = ((flags.run as string | undefined) ?? 'evaluate').split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = tasks.filter((t) => !(SHARD_TASKS as readonly string[]).includes(t));
  if (unknown.length || tasks.length === 0) return `--run takes ${SHARD_TASKS.join(', ')} separated by commas (got ${flags.run})`;
  if (!tasks.includes('evaluate')) return '--run must include evaluate: the merge combines the evaluation, and the explanations, stress tests and UMAP features beside it';
  const split = flags.split as string | undefined;
  if (split !== undefined && !SPLITS.includes(split)) return `--split must be one of ${SPLITS.join(', ')}`;
  const provider = flags.provider as string | undefined;
  if (provider !== undefined && !PROVIDERS.includes(provider)) return `--provider must be one of ${PROVIDERS.join(', ')}`;
  const method = flags.method as string | undefined;
  if (method !== undefined && !(CAM_METHODS as readonly string[]).includes(method)) return `--method must be one of ${CAM_METHODS.join(', ')}`;
  if (method !== undefined && !tasks.includes('explain')) return '--method applies to explanations: add --run evaluate,explain';
  const medsegText = flags.medseg as string | undefined;
  const medseg = medsegText === undefined ? undefined : medsegText.trim().split(/\s+/).filter(Boolean);
  if (medseg !== undefined && medseg.length === 0) return '--medseg must name a command';
  return { shards, tasks: [...new Set(tasks)] as ShardTask[], split, provider, method, medseg };
}

/** The words that run this very medseg elsewhere: this node binary, its flags (a loader), this CLI, by absolute path. */
export function thisMedseg(): string[] {
  return [process.execPath, ...process.execArgv, resolve(process.argv[1])];
}

export function resultsOf(config: MedsegConfig, output: string | undefined): string {
  return resolve(resultsFolderOf(config, output));
}

/** "split test: 60000 images, 14977–15046 per shard" (the shards' sizes follow from the ids' hashes). */
export function shardSizes(ids: readonly string[], shards: number, split: string): string {
  const counts = new Array<number>(shards).fill(0);
  for (const id of ids) counts[shardOf(id, shards)]++;
  let lo = Infinity;
  let hi = 0;
  for (const c of counts) {
    lo = Math.min(lo, c);
    hi = Math.max(hi, c);
  }
  const per = shards === 1 ? '' : lo === hi ? `, ${lo} per shard` : `, ${lo}–${hi} per shard`;
  return `split ${split}: ${plural(ids.length, 'image')} with a reference${per}`;
}
