/**
 * What a shard keeps beside its results so that `medseg merge` can rebuild the whole run exactly:
 * the fixed-size pooled sums (confusion counts and score histograms), validation rows, STAPLE's
 * per-case estimates and the run's description. Rows and fusion changes stay in per_image.csv and
 * fusion_changes.csv, which the merge streams from.
 */
import { constants as bufferConstants } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { FusionName, MedsegConfig, SplitName } from '../config/types';
import type { DatasetCase, ResolvedDataset } from '../dataset/types';
import { InputError } from '../findings';
import { writeFileAtomic } from '../io';
import { PooledCounts, type PooledCountsData } from '../metrics';
import { FUSION_CHANGES_FILE } from '../results/fusionChanges';
import { perImageCsvChunks } from '../results/perImage';
import { writeChunksAtomic } from '../results/spoolFile';
import { resultPath } from '../results/resultPath';
import type { StapleRun } from '../results/stapleRuns';
import type { EvaluationSummary } from '../results/summary';
import { sha256 } from '../util/hash';
import { ENGINE_BUILD, ENGINE_VERSION } from '../version';
import type { EvaluationParts, MethodDescription } from './assemble';
import { selectCases } from './selectCases';

export const SHARD_FOLDER = 'shard';
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

/**
 * What a shard ran from, so that a merge can refuse shards of another run: the config text, the
 * engine build, the dataset's split assignment and the split's whole image list (before sharding).
 */
export interface ShardProvenance {
  config: string;
  /** SHA-256 of the config text the shard was configured from. */
  config_sha256: string;
  engine_version: string;
  /** The bundle's build digest (version.ts ENGINE_BUILD). */
  build: string;
  /** The evaluated split's cases with a reference mask, all shards together: count and SHA-256 of the sorted ids. */
  split_images: ImageList;
  /** Every case of the dataset as `id, split, mask or not`: a changed split file or dataset changes it. */
  dataset_sha256: string;
}

export interface ImageList {
  count: number;
  sha256: string;
}

/** The shard parts' format version; parts of another version are refused by the merge. */
export const SHARD_PARTS_VERSION = 2;

export function imageListOf(ids: readonly string[]): ImageList {
  return { count: ids.length, sha256: sha256(ids.join('\n')) };
}

/** The dataset's split assignment as one digest (order-independent: sorted by id). */
export function datasetDigest(cases: readonly DatasetCase[]): string {
  const lines = cases.map((c) => `${c.id}\t${c.split ?? ''}\t${c.mask === undefined ? 0 : 1}`).sort();
  return sha256(lines.join('\n'));
}

export function shardProvenance(config: MedsegConfig, dataset: Pick<ResolvedDataset, 'cases'>, split: SplitName | 'all'): ShardProvenance {
  return {
    config: config.file,
    config_sha256: config.sourceSha256 ?? '',
    engine_version: ENGINE_VERSION,
    build: ENGINE_BUILD,
    split_images: imageListOf(selectCases(dataset.cases, split).map((c) => c.id)),
    dataset_sha256: datasetDigest(dataset.cases),
  };
}

interface ShardDescription extends ShardProvenance {
  version: typeof SHARD_PARTS_VERSION;
  split: string;
  shard?: { index: number; count: number };
  caseIds: string[];
  methods: MethodDescription[];
  members: string[];
  fusions: FusionName[];
  failures: EvaluationParts['failures'];
  /** Absent in parts written before models could be recorded as skipped. */
  skipped?: EvaluationParts['skipped'];
  models: EvaluationSummary['models'];
  provider: EvaluationParts['provider'];
  staple: StapleRun[];
  pooled: Record<string, PooledCountsData>;
}

/** A shard folder as the merge reads it: the description, and where its row files are. */
export interface ShardOnDisk extends Omit<ShardDescription, 'version' | 'pooled'> {
  dir: string;
  pooled: Map<string, PooledCounts>;
  perImageFile: string;
  fusionChangesFile: string;
  validationFile: string;
}

export async function writeShardParts(outputDir: string, parts: EvaluationParts, provenance: ShardProvenance): Promise<void> {
  const description: ShardDescription = {
    ...provenance,
    version: SHARD_PARTS_VERSION,
    split: parts.split,
    shard: parts.shard,
    caseIds: parts.caseIds,
    methods: parts.methods,
    members: parts.members,
    fusions: parts.fusions,
    failures: parts.failures,
    skipped: parts.skipped,
    models: parts.models,
    provider: parts.provider,
    staple: parts.staple.toRuns(parts.caseIds),
    pooled: Object.fromEntries([...parts.pooled].map(([m, p]) => [m, p.toData()])),
  };
  const dir = resultPath(outputDir, SHARD_FOLDER);
  await writeFileAtomic(join(dir, 'parts.json.gz'), await gzipAsync(JSON.stringify(description)));
  await writeChunksAtomic(join(dir, 'validation.csv'), perImageCsvChunks(parts.validation, parts.methods.map((m) => m.name)));
}

export async function readShardDescription(outputDir: string): Promise<ShardOnDisk> {
  const dir = join(outputDir, SHARD_FOLDER);
  let description: ShardDescription;
  try {
    // It becomes one string: inflating stops at the longest string there can be (a gzip bomb
    // costs at most that, not all the memory there is).
    const inflated = await gunzipAsync(await readFile(join(dir, 'parts.json.gz')), { maxOutputLength: MAX_STRING_LENGTH });
    description = JSON.parse(inflated.toString('utf8')) as ShardDescription;
  } catch (err) {
    const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? `: it inflates to more than ${MAX_STRING_LENGTH} bytes` : '';
    throw new InputError(outputDir, `${outputDir} holds no shard results (${SHARD_FOLDER}/parts.json.gz${tooLarge}): give folders written by \`medseg evaluate --shard I/N\`.`, 'merge/not-a-shard');
  }
  if (description?.version !== SHARD_PARTS_VERSION) {
    throw new InputError(
      outputDir,
      `${outputDir} holds shard results of another format (version ${String(description?.version)}, this medseg reads ${SHARD_PARTS_VERSION}) that do not record the config, build and image list they ran from: re-run \`medseg evaluate --shard I/N\` for this folder (cached predictions make it cheap).`,
      'merge/not-a-shard',
    );
  }
  const { version: _version, pooled, ...rest } = description;
  return {
    ...rest,
    dir: outputDir,
    pooled: new Map(Object.entries(pooled).map(([m, d]) => [m, PooledCounts.fromData(d)])),
    perImageFile: join(outputDir, 'per_image.csv'),
    fusionChangesFile: join(outputDir, FUSION_CHANGES_FILE),
    validationFile: join(dir, 'validation.csv'),
  };
}
