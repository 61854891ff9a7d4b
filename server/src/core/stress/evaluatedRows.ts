/**
 * The per-image rows a label-mix stress test resamples: the stored per_image.csv when it belongs
 * to this config and split (same models by hash, same image list), else a fresh evaluation, which
 * writes the usual results and is nearly free when the predictions are cached.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MedsegConfig, SplitName } from '../config/types';
import type { ResolvedDataset } from '../dataset/types';
import { evaluateExperiment, selectCases, type EvaluationProgress } from '../evaluate';
import type { Finding } from '../findings';
import type { ResultsLock } from '../results/lock';
import type { PerImageRow } from '../results/perImage';
import { readPerImageCsv } from '../results/readPerImage';
import type { EvaluationSummary } from '../results/summary';
import { sha256, sha256File } from '../util/hash';

export interface EvaluatedRowsOptions {
  split: SplitName | 'all';
  outputDir: string;
  provider?: MedsegConfig['runtime']['provider'];
  signal?: AbortSignal;
  onProgress?: (p: EvaluationProgress) => void;
  command?: string;
  /** The results folder's lock, held by the stress run that asks for the rows. */
  lock?: ResultsLock;
}

export interface EvaluatedRows {
  rows: PerImageRow[];
  from: 'per_image.csv' | 'evaluation';
  /** Methods in the order of the results (models, then fusions). */
  methods: string[];
  findings: Finding[];
}

/** Whether summary.json in `outputDir` describes this config's models on exactly these images. */
async function storedResultsMatch(config: MedsegConfig, dataset: ResolvedDataset, options: EvaluatedRowsOptions): Promise<EvaluationSummary | undefined> {
  let summary: EvaluationSummary;
  try {
    summary = JSON.parse(await readFile(join(options.outputDir, 'summary.json'), 'utf8')) as EvaluationSummary;
  } catch {
    return undefined;
  }
  if (summary.split !== options.split || summary.shard || !summary.models || !summary.methods) return undefined;
  const ids = selectCases(dataset.cases, options.split).map((c) => c.id);
  if (summary.image_list_sha256 !== sha256(ids.join('\n'))) return undefined;
  for (const model of config.models) {
    const stored = summary.models[model.name];
    if (!stored) return undefined;
    if (model.path && stored.sha256 !== (await sha256File(model.path).catch(() => undefined))) return undefined;
  }
  return summary;
}

export async function evaluatedRows(config: MedsegConfig, dataset: ResolvedDataset, options: EvaluatedRowsOptions): Promise<EvaluatedRows> {
  const stored = await storedResultsMatch(config, dataset, options);
  if (stored) {
    const rows = await readPerImageCsv(join(options.outputDir, 'per_image.csv'));
    return { rows, from: 'per_image.csv', methods: Object.keys(stored.methods), findings: [] };
  }
  const result = await evaluateExperiment(config, dataset, {
    split: options.split,
    outputDir: options.outputDir,
    provider: options.provider,
    signal: options.signal,
    onProgress: options.onProgress,
    command: options.command,
    lock: options.lock,
  });
  return { rows: result.table.toRows(), from: 'evaluation', methods: Object.keys(result.summary.methods), findings: result.findings };
}
