/**
 * What a shard keeps beside its results so that `medseg merge` can rebuild the whole run exactly:
 * the fixed-size pooled sums (confusion counts and score histograms), validation rows, STAPLE's
 * per-case estimates and the run's description. Rows and fusion changes are read back from
 * per_image.csv and fusion_changes.csv.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { FusionName } from '../config/types';
import { InputError } from '../findings';
import { writeFileAtomic } from '../io';
import { PooledCounts, type PooledCountsData } from '../metrics';
import { formatPerImageCsv } from '../results/perImage';
import { parsePerImageCsv, readPerImageCsv } from '../results/readPerImage';
import type { EvaluationSummary } from '../results/summary';
import type { EvaluationParts, MethodDescription } from './assemble';
import type { StapleRun } from './fusionSummary';

export const SHARD_FOLDER = 'shard';
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

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
  models: EvaluationSummary['models'];
  provider: EvaluationParts['provider'];
  staple: StapleRun[];
  pooled: Record<string, PooledCountsData>;
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
    models: parts.models,
    provider: parts.provider,
    staple: parts.staple,
    pooled: Object.fromEntries([...parts.pooled].map(([m, p]) => [m, p.toData()])),
  };
  const dir = join(outputDir, SHARD_FOLDER);
  await writeFileAtomic(join(dir, 'parts.json.gz'), await gzipAsync(JSON.stringify(description)));
  await writeFileAtomic(join(dir, 'validation.csv'), formatPerImageCsv(parts.valRows, parts.methods.map((m) => m.name)));
}

function num(x: string): number {
  return Number(x);
}

export async function readShardParts(outputDir: string): Promise<EvaluationParts & { config: string }> {
  const dir = join(outputDir, SHARD_FOLDER);
  let description: ShardDescription;
  try {
    description = JSON.parse((await gunzipAsync(await readFile(join(dir, 'parts.json.gz')))).toString('utf8')) as ShardDescription;
  } catch {
    throw new InputError(outputDir, `${outputDir} holds no shard results (${SHARD_FOLDER}/parts.json.gz): give folders written by \`medseg evaluate --shard I/N\`.`, 'merge/not-a-shard');
  }
  const rows = await readPerImageCsv(join(outputDir, 'per_image.csv'));
  let changes: EvaluationParts['changes'] = [];
  try {
    const records = parse(await readFile(join(outputDir, 'fusion_changes.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    changes = records.map((r) => ({ imageId: r.image_id, fusion: r.fusion, member: r.member, fixedFp: num(r.fixed_fp), fixedFn: num(r.fixed_fn), brokenFp: num(r.broken_fp), brokenFn: num(r.broken_fn) }));
  } catch {
    changes = []; // no fusion in this run
  }
  const valRows = parsePerImageCsv(await readFile(join(dir, 'validation.csv'), 'utf8'), join(dir, 'validation.csv'));
  return {
    config: description.config,
    split: description.split,
    shard: description.shard,
    caseIds: description.caseIds,
    methods: description.methods,
    members: description.members,
    fusions: description.fusions,
    rows,
    valRows,
    changes,
    staple: description.staple,
    failures: description.failures,
    pooled: new Map(Object.entries(description.pooled).map(([m, d]) => [m, PooledCounts.fromData(d)])),
    models: description.models,
    provider: description.provider,
  };
}
