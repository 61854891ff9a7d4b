/**
 * `medseg merge`: shards of one evaluation (`--shard I/N` on N machines) → the results a single
 * run would have written. The shards' rows are streamed into one table on the single run's image
 * axis (all case ids, sorted), their fusion changes k-way merged by image id, and the same
 * assembly runs over them; pooled sums are integer counts, so adding them is exact. The per-image
 * files (masks/, prob/, errors/) are hard-linked, not copied.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config';
import { resolveDataset } from '../dataset';
import { InputError, type Finding } from '../findings';
import { probeWritable, writingInto, WriteError, type Destination } from '../io/writeErrors';
import { PooledCounts } from '../metrics';
import { discardStaleReport } from '../report/staleReport';
import { FUSION_CHANGES_FILE, FusionChangeLog, mergeFusionChangeFiles } from '../results/fusionChanges';
import { checkHoldsNoInputs, datasetInputFiles } from '../results/inputsInside';
import { linkTree } from '../results/linkTree';
import { acquireResultsLock, type ResultsLock } from '../results/lock';
import type { MedsegConfig } from '../config/types';
import { isRegionShard, mergeRegionShards } from './regionMerge';
import { PerImageTable } from '../results/perImageTable';
import { readPerImageCsv, readPerImageTable } from '../results/readPerImage';
import type { RegionsSummary } from '../results/regionResults';
import { resultPath } from '../results/resultPath';
import { StapleRuns } from '../results/stapleRuns';
import type { EvaluationSummary } from '../results/summary';
import { assembleSummary, failureFindings, tryWriteReport, writeResults, type EvaluationParts } from './assemble';
import { planExplainMerge, writeExplainMerge } from '../explain/explainMerge';
import { planStressMerge, writeStressMerge } from '../stress/stressMerge';
import { checkUmapMergeAgainstNow, planUmapMerge, writeUmapMerge } from '../explain/umap/umapMerge';
import { checkShardsAgainstNow, checkShardsOfOneRun } from './shardChecks';
import { readShardDescription, type ShardOnDisk } from './shardParts';

export interface MergeResult {
  outputDir: string;
  summary: EvaluationSummary;
  findings: Finding[];
  /** Methods whose sharded explanations were joined too (`medseg explain --shard`). */
  explained: string[];
  /** Whether the shards' stress tests were joined too (`medseg stress --shard`): stress.json. */
  stressed: boolean;
  /** The UMAP maps drawn from the shards' features (`medseg umap --shard`): umap.json's map names. */
  mapped: string[];
  /** A region evaluation's merge: the top summary.json, keyed by region (`summary` is then its first region's). */
  regions?: RegionsSummary;
}

/** The per-image result folders a merge carries over. */
const RESULT_FOLDERS = ['masks', 'prob', 'errors'];

const byId = (a: { imageId: string }, b: { imageId: string }) => (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0);

/**
 * Merges shard folders into `outputDir`. A folder that cannot be written ends the merge with a
 * WriteError naming it and `--output` (checked before the shards' files are linked).
 */
export async function mergeShards(dirs: readonly string[], outputDir: string, options: { signal?: AbortSignal; command?: string } = {}): Promise<MergeResult> {
  const destination: Destination = { dir: resolve(outputDir), fix: 'Choose a writable folder for the merged results with `--output DIR`.' };
  // Shards of a region evaluation hold one shard folder per region (regions/<name>/): each is merged as its own run.
  if (dirs.length > 0 && isRegionShard(resolve(dirs[0]))) return writingInto(destination, () => mergeRegionShards(dirs, outputDir, destination, options, mergeInto), { probe: false });
  return writingInto(destination, () => mergeInto(dirs, outputDir, destination, options), { probe: false });
}

/** What a region merge passes to each region's merge: the region's view of the config, and the lock it holds. */
export interface MergeInto {
  (dirs: readonly string[], outputDir: string, destination: Destination, options: MergeOptions): Promise<MergeResult>;
}

export interface MergeOptions {
  signal?: AbortSignal;
  command?: string;
  /** The config as the shards evaluated it (a region's view); default: the config as loaded. */
  view?: (config: MedsegConfig) => MedsegConfig;
  lock?: ResultsLock;
}

async function mergeInto(dirs: readonly string[], outputDir: string, destination: Destination, options: MergeOptions): Promise<MergeResult> {
  if (dirs.length === 0) throw new InputError(outputDir, 'medseg merge needs the shard folders to merge.', 'merge/no-input');
  const shards: ShardOnDisk[] = [];
  for (const dir of dirs) shards.push(await readShardDescription(resolve(dir)));
  shards.sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0));
  checkShardsOfOneRun(shards);
  // Explanations made beside the shards are checked before anything is written, and joined after the evaluation.
  const folders = shards.map((s) => ({ dir: s.dir, index: s.shard?.index ?? 0, count: s.shard?.count ?? 1 }));
  const explainPlan = await planExplainMerge(folders);
  const stressParts = await planStressMerge(folders);
  const umapPlan = await planUmapMerge(shards.map((s) => ({ ...s, index: s.shard?.index ?? 0, count: s.shard?.count ?? 1 })));
  const first = shards[0];
  const out = resolve(outputDir);
  const methodNames = first.methods.map((m) => m.name);

  const caseIds = shards.flatMap((p) => p.caseIds).sort();
  const table = new PerImageTable(methodNames, caseIds);
  const validation = new PerImageTable(methodNames);
  for (const s of shards) {
    options.signal?.throwIfAborted();
    await readPerImageTable(s.perImageFile, { into: table, knownImagesOnly: true });
    await readPerImageTable(s.validationFile, { into: validation });
  }
  const staple = new StapleRuns(first.members.length, caseIds.length);
  for (const s of shards) {
    for (const run of s.staple) {
      const index = table.findImage(run.imageId);
      if (index === undefined) throw new InputError(s.dir, `${s.dir}: STAPLE estimates for ${run.imageId}, which the shard did not evaluate; re-run \`medseg evaluate --shard\` for this folder.`, 'merge/mismatch');
      staple.set(index, run);
    }
  }
  const pooled = new Map(first.methods.map((m) => [m.name, new PooledCounts()]));
  for (const p of shards) for (const [m, counts] of p.pooled) pooled.get(m)?.merge(counts);
  const models: EvaluationSummary['models'] = {};
  for (const p of shards)
    for (const [name, m] of Object.entries(p.models)) models[name] = models[name] ? { ...models[name], inferences: models[name].inferences + m.inferences } : { ...m };

  const parsed = await loadConfig(first.config);
  if (!parsed.config) throw new InputError(first.config, `the config ${first.config} of these shards cannot be loaded now; fix it (\`medseg validate\`) and merge again.`, 'merge/config');
  const config = options.view ? options.view(parsed.config) : parsed.config;
  const dataset = await resolveDataset(config, { signal: options.signal });
  checkShardsAgainstNow(shards, config, dataset.cases);
  if (umapPlan) checkUmapMergeAgainstNow(umapPlan, config, dataset);
  checkHoldsNoInputs(out, datasetInputFiles(config, dataset));
  await probeWritable(destination);
  const lock = await acquireResultsLock(out, options.command ?? `medseg merge ${dirs.join(' ')}`, options.lock);
  const changes = new FusionChangeLog(resultPath(out, FUSION_CHANGES_FILE), methodNames, first.members);
  try {
    await mergeFusionChangeFiles(shards.map((s) => s.fusionChangesFile).filter((f) => existsSync(f)), changes);
    await changes.drain();
    const parts: EvaluationParts = {
      split: first.split,
      caseIds,
      methods: first.methods,
      members: first.members,
      fusions: first.fusions,
      table,
      validation,
      changes,
      staple,
      failures: shards.flatMap((p) => p.failures).sort(byId),
      skipped: skippedInAny(shards),
      pooled,
      models,
      provider: first.provider,
    };

    const labels = new Map(dataset.cases.map((c) => [c.id, c.labels]));
    const summary: EvaluationSummary = { ...assembleSummary(config, dataset.labelColumns, (id) => labels.get(id) ?? {}, parts), merged_from: shards.map((s) => s.dir) };
    await writeResults(out, parts, summary);
    for (const { dir } of shards) {
      if (dir === out) continue;
      for (const folder of RESULT_FOLDERS) if (existsSync(join(dir, folder))) await linkTree(join(dir, folder), resultPath(out, folder), { signal: options.signal });
    }
    await writeExplainMerge(explainPlan, out, config, dataset.cases, options.signal);
    // The label mixes resample the rows as `medseg stress` reads them: from the per_image.csv just written.
    const stressFindings = stressParts ? await writeStressMerge(stressParts, out, config, dataset, await readPerImageCsv(resultPath(out, 'per_image.csv')), parts.methods.map((m) => m.name)) : [];
    // The maps are coloured by the Dice of the per_image.csv just written, as `medseg umap` after `medseg evaluate`.
    const umap = umapPlan ? await writeUmapMerge(umapPlan, out, config, dataset, { signal: options.signal }) : undefined;
    const findings = [...failureFindings(config, parts.failures), ...stressFindings, ...(umap?.findings ?? [])];
    // The shards reported their skipped models when they ran; the merged result has them missing too.
    for (const m of parts.skipped) findings.push({ code: m.code, severity: 'error', message: `Model \`${m.name}\` was skipped by the shards: ${m.reason}`, location: { file: config.file }, configPath: ['models', Math.max(0, config.models.findIndex((x) => x.name === m.name)), 'path'] });
    const ids = new Set(caseIds);
    const report = await tryWriteReport(out, summary, table, { config, cases: dataset.cases.filter((c) => ids.has(c.id)), command: options.command ?? `medseg merge ${dirs.join(' ')}` });
    if (report) findings.push(report);
    return { outputDir: out, summary, findings, explained: explainPlan.methods.map((m) => m.method), stressed: stressParts !== undefined, mapped: umap?.report.maps.map((m) => m.name) ?? [] };
  } catch (err) {
    // The merged results were being written: an older report.html there no longer describes them.
    if (err instanceof WriteError) throw err.withNote(await discardStaleReport(out));
    throw err;
  } finally {
    await changes.discard();
    lock.release();
  }
}

/** Every model some shard skipped, once (the first shard's reason), in the order the shards name them. */
function skippedInAny(shards: readonly ShardOnDisk[]): EvaluationParts['skipped'] {
  const byName = new Map<string, EvaluationParts['skipped'][number]>();
  for (const s of shards) for (const m of s.skipped ?? []) if (!byName.has(m.name)) byName.set(m.name, m);
  return [...byName.values()];
}
