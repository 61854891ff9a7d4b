/**
 * `medseg merge` of a region evaluation's shards: each region's shard folders
 * (`<shard>/regions/<name>/`) merged as a run of their own into `<output>/regions/<name>/`, with
 * the region's view of the config (the output's lock held, and each region folder's); then the top files as a
 * single region run writes them (per_image.csv with a region column, summary.json by region,
 * the report's region sections).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config';
import { InputError } from '../findings';
import { probeWritable, type Destination } from '../io/writeErrors';
import { acquireResultsLock } from '../results/lock';
import { readPerImageTable } from '../results/readPerImage';
import { REGIONS_FOLDER, regionFolder } from '../results/regionResults';
import { resultPath } from '../results/resultPath';
import type { MergeInto, MergeOptions, MergeResult } from './merge';
import { readShardDescription, SHARD_FOLDER } from './shardParts';
import { writeRegionTopFiles } from './regionRun';
import { regionView } from './regionView';

/** A shard folder of a region evaluation: region folders, no shard parts of its own. */
export function isRegionShard(dir: string): boolean {
  return existsSync(join(dir, REGIONS_FOLDER)) && !existsSync(join(dir, SHARD_FOLDER));
}

export async function mergeRegionShards(dirs: readonly string[], outputDir: string, destination: Destination, options: MergeOptions, mergeInto: MergeInto): Promise<MergeResult> {
  const out = resolve(outputDir);
  const configFile = await configOfRegionShard(resolve(dirs[0]));
  const parsed = await loadConfig(configFile);
  const regions = parsed.config?.dataset.regions;
  if (!parsed.config || !regions) throw new InputError(configFile, `the config ${configFile} of these region shards cannot be loaded now, or has no dataset.regions any more; fix it (\`medseg validate\`) and merge again.`, 'merge/config');
  const config = parsed.config;
  await probeWritable(destination);
  const command = options.command ?? `medseg merge ${dirs.join(' ')}`;
  const lock = await acquireResultsLock(out, command, options.lock);
  try {
    const merged: (MergeResult & { region: (typeof regions)[number] })[] = [];
    for (const region of regions) {
      const regionDirs = dirs.map((d) => regionFolder(resolve(d), region.name));
      const missing = regionDirs.find((d) => !existsSync(join(d, SHARD_FOLDER)));
      if (missing) throw new InputError(missing, `${missing} holds no shard results of region \`${region.name}\`: every shard of a region evaluation has every region; re-run \`medseg evaluate --shard I/N\` for that folder.`, 'merge/mismatch');
      const target = regionFolder(out, region.name);
      merged.push({ ...(await mergeInto(regionDirs, target, { ...destination, dir: target }, { ...options, command, lock: undefined, view: (c) => regionView(c, region) })), region });
    }
    const parts = [];
    for (const m of merged) parts.push({ region: m.region, table: await readPerImageTable(resultPath(m.outputDir, 'per_image.csv')), methodOrder: Object.keys(m.summary.methods), summary: m.summary });
    const { summary, reportFailed } = await writeRegionTopFiles(out, config, parts, { merged_from: dirs.map((d) => resolve(d)) }, true);
    const findings = merged.flatMap((m) => m.findings.map((f) => ({ ...f, message: `Region ${m.region.name}: ${f.message}` })));
    if (reportFailed) findings.push(reportFailed);
    // The run-level result: the first region's summary stands for the merge's (the CLI prints each region's from summary.json).
    return { outputDir: out, summary: merged[0].summary, findings, explained: [], stressed: false, mapped: [], regions: summary };
  } finally {
    lock.release();
  }
}

/** The config a region shard ran: recorded in its first region's shard description. */
async function configOfRegionShard(dir: string): Promise<string> {
  const regionsDir = join(dir, REGIONS_FOLDER);
  const first = readdirSync(regionsDir).sort().find((name) => existsSync(join(regionsDir, name, SHARD_FOLDER)));
  if (!first) throw new InputError(dir, `${dir} holds no shard results (regions/<name>/${SHARD_FOLDER}/): give folders written by \`medseg evaluate --shard I/N\`.`, 'merge/not-a-shard');
  return (await readShardDescription(join(regionsDir, first))).config;
}
