/**
 * Whether shard folders are the whole of one run, before `medseg merge` adds them up. A merge of
 * shards that ran from different configs, builds, model files or datasets would be a result no
 * single run gives, with nothing in it to tell; so every difference is refused, naming the shard
 * folder, what differs and how to make the shard again.
 */
import type { MedsegConfig, SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { InputError } from '../findings';
import { shellWord } from '../util/shellWord';
import { ENGINE_BUILD } from '../version';
import { selectCases } from './selectCases';
import { datasetDigest, imageListOf, type ShardOnDisk } from './shardParts';

const short = (digest: string) => digest.slice(0, 12);
const label = (s: ShardOnDisk) => `${s.dir} (shard ${(s.shard?.index ?? 0) + 1}/${s.shard?.count ?? 1})`;

/** The command that makes shard `index` (0-based) of `count` again. */
export function shardCommand(config: string, split: string, index: number, count: number, output: string): string {
  return `medseg evaluate ${shellWord(config)} --split ${split} --shard ${index + 1}/${count} --output ${output === '<folder>' ? output : shellWord(output)}`;
}

function models(s: ShardOnDisk): Map<string, string> {
  return new Map(Object.entries(s.models).map(([name, m]) => [name, `${m.source ?? ''} sha256 ${m.sha256 ? short(m.sha256) : '–'}${m.output ? ` output ${m.output}` : ''}`]));
}

/** What about `s` differs from `first`, in words; undefined when they are shards of one run. */
function difference(first: ShardOnDisk, s: ShardOnDisk): string | undefined {
  if (s.config_sha256 !== first.config_sha256) return `it ran from another config text (${s.config}, sha256 ${short(s.config_sha256)}… against ${first.config}, sha256 ${short(first.config_sha256)}…)`;
  if (s.build !== first.build) return `it was made by another medseg build (${s.engine_version} build ${s.build} against ${first.engine_version} build ${first.build})`;
  if (s.split !== first.split) return `it evaluated split \`${s.split}\`, not \`${first.split}\``;
  if ((s.shard?.count ?? 1) !== (first.shard?.count ?? 1)) return `it is one of ${s.shard?.count ?? 1} shards, not of ${first.shard?.count ?? 1}`;
  if (s.dataset_sha256 !== first.dataset_sha256 || s.split_images.sha256 !== first.split_images.sha256) {
    return `it saw another dataset (${s.split_images.count} images in split \`${s.split}\` against ${first.split_images.count}, or other split assignments)`;
  }
  const a = models(first);
  const b = models(s);
  for (const [name, text] of a) {
    if (!b.has(name)) return `it did not evaluate model \`${name}\``;
    if (b.get(name) !== text) return `its model \`${name}\` is another file (${b.get(name)} against ${text})`;
  }
  for (const name of b.keys()) if (!a.has(name)) return `it evaluated model \`${name}\`, which ${first.dir} did not`;
  if (s.methods.map((m) => m.name).join(',') !== first.methods.map((m) => m.name).join(',')) return `it evaluated other methods (${s.methods.map((m) => m.name).join(', ')})`;
  return undefined;
}

/** Shards of one run, each once, all of them: else an InputError that says which and how to fix it. */
export function checkShardsOfOneRun(shards: readonly ShardOnDisk[]): void {
  const first = shards[0];
  for (const s of shards.slice(1)) {
    const why = difference(first, s);
    if (why) {
      throw new InputError(
        s.dir,
        `${label(s)} is not a shard of the same run as ${label(first)}: ${why}. Merge shards of one run only: re-run the shards that differ with the same config, build and dataset (cached predictions make it cheap).`,
        'merge/mismatch',
      );
    }
  }
  const count = first.shard?.count ?? 1;
  const indices = shards.map((s) => s.shard?.index ?? 0);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !indices.includes(i));
  const repeated = indices.filter((i, k) => indices.indexOf(i) !== k);
  if (missing.length || repeated.length) {
    const missingText = missing.length ? `shard(s) ${missing.map((i) => `${i + 1}/${count}`).join(', ')} missing (make one with \`${shardCommand(first.config, first.split, missing[0], count, '<folder>')}\` and give its folder too)` : '';
    const repeatedText = repeated.length ? `shard(s) ${repeated.map((i) => `${i + 1}/${count}`).join(', ')} given twice` : '';
    throw new InputError(first.dir, `${[missingText, repeatedText].filter(Boolean).join('; ')}: give every shard folder once.`, 'merge/incomplete');
  }
  const union = shards.flatMap((s) => s.caseIds).sort();
  const list = imageListOf(union);
  if (list.sha256 !== first.split_images.sha256) {
    throw new InputError(
      first.dir,
      `The shards hold ${list.count} images together, but split \`${first.split}\` had ${first.split_images.count} when they ran (the image lists differ): a shard folder holds another run's results. Re-run the shards into empty folders.`,
      'merge/incomplete',
    );
  }
}

/**
 * The shards against the config, the dataset and the build the merge runs with now: the merge
 * summarises with the current config and labels, so the shards must have run from the same.
 */
export function checkShardsAgainstNow(shards: readonly ShardOnDisk[], config: MedsegConfig, cases: readonly DatasetCase[]): void {
  const first = shards[0];
  if (config.sourceSha256 !== undefined && config.sourceSha256 !== first.config_sha256) {
    throw new InputError(
      config.file,
      `${config.file} has changed since the shards ran (sha256 ${short(config.sourceSha256)}… now, ${short(first.config_sha256)}… then): the merge would summarise them with settings they did not run with. Restore the config, or re-run every shard with it (cached predictions make that cheap), then merge.`,
      'merge/config-changed',
    );
  }
  if (first.build !== ENGINE_BUILD) {
    throw new InputError(
      first.dir,
      `The shards were made by medseg ${first.engine_version} build ${first.build}, and this is build ${ENGINE_BUILD}: merge with the build that made them, or re-run the shards with this one.`,
      'merge/other-build',
    );
  }
  const now = imageListOf(selectCases(cases, first.split as SplitName | 'all').map((c) => c.id));
  if (now.sha256 !== first.split_images.sha256 || datasetDigest(cases) !== first.dataset_sha256) {
    throw new InputError(
      config.file,
      `The dataset of ${config.file} has changed since the shards ran (split \`${first.split}\`: ${now.count} images with a reference now, ${first.split_images.count} then, or other split assignments): re-run the shards on the dataset as it is, then merge.`,
      'merge/dataset-changed',
    );
  }
}
