/**
 * Which shards of a batch job are done, from what their folders hold (not from the scheduler,
 * which forgets finished jobs): a shard is done when every task of the job left its complete
 * record there, made from the config text, build and dataset there are now. Everything else is
 * re-run by `--resume`, with the reason said.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MedsegConfig, SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { selectCases } from '../evaluate/selectCases';
import { imageListOf, readShardDescription, SHARD_FOLDER, type ShardOnDisk } from '../evaluate/shardParts';
import { readExplainReports, explainReportFiles } from '../explain/explainFile';
import type { CamMethod } from '../explain/methods';
import { InputError } from '../findings';
import { hasStressParts, readStressParts, stressPartsFile } from '../stress/stressShardParts';
import { hasUmapFeatures, readUmapFeatureHeader, umapFeaturesFile } from '../explain/umap/umapShardRecord';
import { ENGINE_BUILD } from '../version';
import { shardDir, type BatchJobSpec } from './jobSpec';

export interface ShardStatus {
  /** 1-based. */
  index: number;
  done: boolean;
  /** Why it is not done (absent when done). */
  reason?: string;
}

function evaluateStatus(spec: BatchJobSpec, index: number, s: ShardOnDisk, config: MedsegConfig, cases: readonly DatasetCase[]): string | undefined {
  if ((s.shard?.index ?? 0) !== index - 1 || (s.shard?.count ?? 1) !== spec.shards) return `its folder holds shard ${(s.shard?.index ?? 0) + 1}/${s.shard?.count ?? 1}, not ${index}/${spec.shards}`;
  if (config.sourceSha256 !== undefined && s.config_sha256 !== config.sourceSha256) return 'it ran from another text of the config';
  if (s.build !== ENGINE_BUILD) return `it was made by medseg build ${s.build}, not this build ${ENGINE_BUILD}`;
  const split = (spec.split ?? config.evaluation.split) as SplitName | 'all';
  if (s.split !== split) return `it evaluated split \`${s.split}\`, not \`${split}\``;
  if (imageListOf(selectCases(cases, split).map((c) => c.id)).sha256 !== s.split_images.sha256) return 'the dataset has changed since it ran';
  return undefined;
}

/**
 * The status of every shard. Shards that skipped a model which other finished shards evaluated
 * (a GPU missing on one node, a file not yet copied) are re-run too: their merge would be refused.
 */
export async function shardStatuses(spec: BatchJobSpec, config: MedsegConfig, cases: readonly DatasetCase[]): Promise<ShardStatus[]> {
  const statuses: ShardStatus[] = [];
  const evaluated = new Map<number, ShardOnDisk>();
  for (let index = 1; index <= spec.shards; index++) {
    const dir = shardDir(spec, index);
    let reason: string | undefined;
    if (spec.tasks.includes('evaluate')) {
      if (!existsSync(join(dir, SHARD_FOLDER, 'parts.json.gz'))) reason = 'it has no results (it failed, was cancelled, or has not run)';
      else {
        try {
          const s = await readShardDescription(dir);
          reason = evaluateStatus(spec, index, s, config, cases);
          if (!reason) evaluated.set(index, s);
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          reason = `its results cannot be read (${err.message})`;
        }
      }
    }
    if (!reason && spec.tasks.includes('explain')) reason = await explainStatus(spec, index, dir, config);
    if (!reason && spec.tasks.includes('stress')) reason = await stressStatus(spec, index, dir);
    if (!reason && spec.tasks.includes('umap')) reason = await umapStatus(spec, index, dir, config);
    statuses.push({ index, done: reason === undefined, ...(reason ? { reason } : {}) });
  }
  const ranSomewhere = new Set([...evaluated.values()].flatMap((s) => Object.keys(s.models)));
  for (const st of statuses) {
    const s = evaluated.get(st.index);
    const skipped = (s?.skipped ?? []).filter((m) => ranSomewhere.has(m.name));
    if (s && skipped.length > 0) {
      st.done = false;
      st.reason = `it skipped model ${skipped.map((m) => `\`${m.name}\` (${m.reason})`).join(', ')}, which other shards evaluated`;
    }
  }
  return statuses;
}

/**
 * A shard's explanations are complete when its `explain/<method>/explain.json` (written when a run
 * ends) is of this shard and newer than the shard's evaluation, which the job runs first.
 */
async function explainStatus(spec: BatchJobSpec, index: number, dir: string, config: MedsegConfig): Promise<string | undefined> {
  const method = (spec.method ?? config.explain.gradcam.method) as CamMethod;
  const file = explainReportFiles(dir, method).method;
  if (!existsSync(file)) return `it has no ${method} explanations`;
  const { reports } = await readExplainReports(dir);
  const report = reports.find((r) => r.method === method);
  if (!report || report.shard?.index !== index - 1 || report.shard?.count !== spec.shards) return `its ${method} explanations are not those of shard ${index}/${spec.shards}`;
  const parts = join(dir, SHARD_FOLDER, 'parts.json.gz');
  if (existsSync(parts) && statSync(file).mtimeMs < statSync(parts).mtimeMs) return `its ${method} explanations are older than its evaluation`;
  return undefined;
}

/** A shard's stress tests are complete when its record is of this shard and newer than its evaluation. */
async function stressStatus(spec: BatchJobSpec, index: number, dir: string): Promise<string | undefined> {
  if (!hasStressParts(dir)) return 'it has no stress tests';
  const parts = await readStressParts(dir).catch(() => undefined);
  if (!parts || parts.shard.index !== index - 1 || parts.shard.count !== spec.shards) return `its stress tests are not those of shard ${index}/${spec.shards}`;
  const evaluation = join(dir, SHARD_FOLDER, 'parts.json.gz');
  if (existsSync(evaluation) && statSync(stressPartsFile(dir)).mtimeMs < statSync(evaluation).mtimeMs) return 'its stress tests are older than its evaluation';
  return undefined;
}

/**
 * A shard's UMAP features are complete when its record (written whole, at the end) is of this
 * shard, config text and build, and newer than its evaluation.
 */
async function umapStatus(spec: BatchJobSpec, index: number, dir: string, config: MedsegConfig): Promise<string | undefined> {
  if (!hasUmapFeatures(dir)) return 'it has no UMAP features';
  const header = await readUmapFeatureHeader(dir).catch(() => undefined);
  if (!header || header.shard.index !== index - 1 || header.shard.count !== spec.shards) return `its UMAP features are not those of shard ${index}/${spec.shards}`;
  if (config.sourceSha256 !== undefined && header.config_sha256 !== config.sourceSha256) return 'its UMAP features were made from another text of the config';
  if (header.build !== ENGINE_BUILD) return `its UMAP features were made by medseg build ${header.build}, not this build ${ENGINE_BUILD}`;
  const evaluation = join(dir, SHARD_FOLDER, 'parts.json.gz');
  if (existsSync(evaluation) && statSync(umapFeaturesFile(dir)).mtimeMs < statSync(evaluation).mtimeMs) return 'its UMAP features are older than its evaluation';
  return undefined;
}

/**
 * Whether the results folder holds the merge of exactly these shards, written after the last of
 * them: then a resume has nothing to do.
 */
export function mergedAfterShards(spec: BatchJobSpec): boolean {
  const summary = join(spec.results, 'summary.json');
  if (!existsSync(summary)) return false;
  let mergedFrom: unknown;
  try {
    mergedFrom = (JSON.parse(readFileSync(summary, 'utf8')) as { merged_from?: unknown }).merged_from;
  } catch {
    return false;
  }
  const dirs = Array.from({ length: spec.shards }, (_, i) => resolve(shardDir(spec, i + 1)));
  if (!Array.isArray(mergedFrom) || mergedFrom.length !== dirs.length || !dirs.every((d) => mergedFrom.includes(d))) return false;
  const written = statSync(summary).mtimeMs;
  // The merge joins explanations after the evaluation: a merge that stopped between them is not done.
  const explained = join(spec.results, 'explain.json');
  if (spec.tasks.includes('explain') && !(existsSync(explained) && statSync(explained).mtimeMs >= written)) return false;
  const stressed = join(spec.results, 'stress.json');
  if (spec.tasks.includes('stress') && !(existsSync(stressed) && statSync(stressed).mtimeMs >= written)) return false;
  const mapped = join(spec.results, 'umap.json');
  if (spec.tasks.includes('umap') && !(existsSync(mapped) && statSync(mapped).mtimeMs >= written)) return false;
  return dirs.every((d) => {
    const parts = join(d, SHARD_FOLDER, 'parts.json.gz');
    return existsSync(parts) && statSync(parts).mtimeMs <= written;
  });
}
