/**
 * The explanations of shards (`medseg explain --shard I/N --images all` into each shard folder),
 * joined into what one `medseg explain --images all` writes: per method and model the rows of
 * every shard in image-id order (explain/<method>/<model>.csv with its run.json), the heatmaps
 * hard-linked, and explain.json summarised from the joined rows with the same functions a single
 * run uses. Shards whose explanations were made with another model file, layer, target or method
 * settings are refused, as are methods some shards lack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MedsegConfig, SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { InputError } from '../findings';
import { linkTree } from '../results/linkTree';
import { resultPath } from '../results/resultPath';
import { ENGINE_VERSION } from '../version';
import { readExplainReports, writeExplainReport } from './explainFile';
import type { ExplainedImage, ExplainReport } from './explainReport';
import { ExplainRowWriter, explainRowFiles, readExplainRows, type ExplainRunFingerprint } from './explainRows';
import { compareFamilies, compareModels, modelColumns, summarizeModel, type ModelColumns } from './explainSummary';
import type { CamMethod } from './methods';
import { casesToExplain } from './selectImages';

/** A shard folder and its shard (0-based index) as its evaluation recorded it. */
export interface ExplainShardFolder {
  dir: string;
  index: number;
  count: number;
}

/** The methods a shard folder holds sharded explanations of. */
export async function shardExplainMethods(dir: string): Promise<CamMethod[]> {
  if (!existsSync(join(dir, 'explain'))) return [];
  const { reports, problems } = await readExplainReports(dir);
  if (problems.length > 0) throw problems[0];
  return reports.filter((r) => r.shard).map((r) => r.method);
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function fingerprintOf(dir: string, method: string, model: string): string {
  try {
    return readFileSync(explainRowFiles(dir, method, model).run, 'utf8');
  } catch {
    throw new InputError(dir, `${dir} has no explain/${method}/ run record for model \`${model}\`: re-run \`medseg explain --shard\` for this folder.`, 'merge/not-a-shard');
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** What a merge of the shards' explanations will join: per method, each shard's report, checked to be of one run. */
export interface ExplainMergePlan {
  shards: readonly ExplainShardFolder[];
  methods: { method: CamMethod; reports: ExplainReport[]; fingerprints: Map<string, string> }[];
}

/**
 * Reads and checks the shards' explanations before anything is written: every method any shard
 * holds must be in every shard, of that shard, of one split and target, with the same models made
 * with the same model file, layer and settings.
 */
export async function planExplainMerge(shards: readonly ExplainShardFolder[]): Promise<ExplainMergePlan> {
  const methodsOf = new Map<string, CamMethod[]>();
  for (const s of shards) methodsOf.set(s.dir, await shardExplainMethods(s.dir));
  const plan: ExplainMergePlan = { shards, methods: [] };
  for (const method of [...new Set([...methodsOf.values()].flat())]) {
    const lacking = shards.filter((s) => !methodsOf.get(s.dir)!.includes(method));
    if (lacking.length > 0) {
      throw new InputError(lacking[0].dir, `${lacking.map((s) => `${s.dir} (shard ${s.index + 1}/${s.count})`).join(', ')} hold no ${method} explanations, which other shards hold: run \`medseg explain --shard I/N --images all --method ${method}\` there too, then merge.`, 'merge/incomplete');
    }
    const reports: ExplainReport[] = [];
    for (const s of shards) {
      const report = (await readExplainReports(s.dir)).reports.find((r) => r.method === method)!;
      const first = reports[0];
      const problem =
        report.shard?.index !== s.index || report.shard?.count !== s.count
          ? `its ${method} explanations are of shard ${(report.shard?.index ?? 0) + 1}/${report.shard?.count ?? 1}, its evaluation of shard ${s.index + 1}/${s.count}`
          : first && (report.split !== first.split || report.target !== first.target)
            ? `its ${method} explanations are of split \`${report.split}\` with target ${report.target}, not \`${first.split}\` with ${first.target}`
            : first && Object.keys(report.models).sort().join(',') !== Object.keys(first.models).sort().join(',')
              ? `it explained models ${Object.keys(report.models).join(', ') || 'none'}, not ${Object.keys(first.models).join(', ') || 'none'}`
              : undefined;
      if (problem) throw new InputError(s.dir, `${s.dir} cannot be merged with the other shards: ${problem}. Re-run \`medseg explain --shard ${s.index + 1}/${s.count} --images all --method ${method}\` there.`, 'merge/mismatch');
      reports.push(report);
    }
    const fingerprints = new Map<string, string>();
    for (const name of Object.keys(reports[0].models)) {
      const fingerprint = fingerprintOf(shards[0].dir, method, name);
      for (const s of shards.slice(1)) {
        if (fingerprintOf(s.dir, method, name) !== fingerprint) {
          throw new InputError(s.dir, `${s.dir}: the ${method} explanations of model \`${name}\` were made with another model file, layer, target or settings than those of ${shards[0].dir} (explain/${method}/*.run.json differ). Re-run \`medseg explain --shard\` on the shards that differ.`, 'merge/mismatch');
        }
      }
      fingerprints.set(name, fingerprint);
    }
    plan.methods.push({ method, reports, fingerprints });
  }
  return plan;
}

/**
 * Writes the joined explanations of a checked plan into `out` (the caller holds its lock, and has
 * merged the evaluation there).
 */
export async function writeExplainMerge(plan: ExplainMergePlan, out: string, config: MedsegConfig, cases: readonly DatasetCase[], signal?: AbortSignal): Promise<void> {
  for (const { method, reports, fingerprints } of plan.methods) {
    signal?.throwIfAborted();
    const first = reports[0];
    const ids = casesToExplain(cases, first.split as SplitName | 'all', 'all').map((c) => c.id);
    const columns: ModelColumns[] = [];
    const models: ExplainReport['models'] = {};
    for (const [name, fingerprint] of fingerprints) {
      const rows: ExplainedImage[] = [];
      for (const s of plan.shards) for (const row of await collect(readExplainRows(explainRowFiles(s.dir, method, name).rows))) rows.push(row);
      rows.sort(byId);
      const files = explainRowFiles(out, method, name);
      // A fresh row file (an older one here is another run's), then the rows in the order a single run writes them.
      await rm(files.run, { force: true });
      const { writer } = await ExplainRowWriter.open(files, JSON.parse(fingerprint) as ExplainRunFingerprint);
      await writer.append(rows);
      const family = config.models.find((m) => m.name === name)?.family ?? first.models[name].family;
      const c = modelColumns(name, family, ids, rows);
      columns.push(c);
      const { summary, images, seconds_per_image } = summarizeModel(c, { bootstrap: config.evaluation.bootstrap, seed: config.evaluation.seed });
      models[name] = { ...first.models[name], images, resumed: reports.reduce((a, r) => a + (r.models[name]?.resumed ?? 0), 0), summary, seconds_per_image };
    }
    for (const s of plan.shards) {
      const heatmaps = join(s.dir, 'heatmaps', method);
      if (existsSync(heatmaps)) await linkTree(heatmaps, resultPath(out, 'heatmaps', method), { signal });
    }
    const { shard: _shard, ...common } = first;
    const report: ExplainReport = {
      ...common,
      time: new Date().toISOString(),
      engine_version: ENGINE_VERSION,
      config: config.file,
      models,
      comparisons: compareModels(columns, config.evaluation.compare.alpha),
      families: compareFamilies(columns, config.evaluation.compare.alpha),
      failures: joinedFailures(reports, config),
    };
    await writeExplainReport(out, report);
  }
}

/**
 * The shards' failures in a single run's order (models in config order, images by id); a model
 * that could not be opened failed in every shard and is listed once.
 */
function joinedFailures(reports: readonly ExplainReport[], config: MedsegConfig): ExplainReport['failures'] {
  const order = new Map(config.models.map((m, i) => [m.name, i]));
  const seen = new Set<string>();
  const all = reports.flatMap((r) => r.failures).filter((f) => {
    const key = f.image_id === undefined ? `${f.model}\0${f.code}` : `${f.model}\0${f.code}\0${f.image_id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const id = (f: { image_id?: string }) => f.image_id ?? '';
  return all.sort((a, b) => (order.get(a.model) ?? 0) - (order.get(b.model) ?? 0) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}
