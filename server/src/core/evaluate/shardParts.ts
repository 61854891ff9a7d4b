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
import type { FusionName } from '../config/types';
import { InputError } from '../findings';
import { writeFileAtomic } from '../io';
import { PooledCounts, type PooledCountsData } from '../metrics';
import { FUSION_CHANGES_FILE } from '../results/fusionChanges';
import { perImageCsvChunks } from '../results/perImage';
import { writeChunksAtomic } from '../results/spoolFile';
import { resultPath } from '../results/resultPath';
import type { StapleRun } from '../results/stapleRuns';
import type { EvaluationSummary } from '../results/summary';
import type { EvaluationParts, MethodDescription } from './assemble';

export const SHARD_FOLDER = 'shard';
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

interface ShardDescription {
  version: 1;
  config: string;
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

export async function writeShardParts(outputDir: string, parts: EvaluationParts, configFile = ''): Promise<void> {
  const description: ShardDescription = {
    version: 1,
    config: configFile,
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
