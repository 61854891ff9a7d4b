/**
 * A region evaluation (`dataset.regions`): each region in config order through the binary
 * pipeline (regionView.ts) into `regions/<name>/` (the results folder's lock held, and each region's), then the
 * top files: per_image.csv with a `region` column, summary.json keyed by region, report.html with
 * a section per region. Models that predict every region run once per case: the first region's
 * pass stores every channel in the prediction cache and the others read it.
 */
import type { MedsegConfig, RegionConfig } from '../config/types';
import type { ResolvedDataset } from '../dataset/types';
import type { Finding } from '../findings';
import { writeFileAtomic } from '../io';
import { probeWritable, resultsDestination, writingInto } from '../io/writeErrors';
import { writeRegionsReport } from '../report/regionsReport';
import { reportFailedFinding } from '../report/staleReport';
import { checkHoldsNoInputs, datasetInputFiles } from '../results/inputsInside';
import { acquireResultsLock } from '../results/lock';
import type { PerImageTable } from '../results/perImageTable';
import { regionFolder, regionPerImageCsvChunks, regionsSummary, type RegionsSummary } from '../results/regionResults';
import { resultPath, resultsFolderOf } from '../results/resultPath';
import { writeChunksAtomic } from '../results/spoolFile';
import { formatResultsJson, type EvaluationSummary } from '../results/summary';
import { pushAll } from '../util/arrays';
import { evaluateExperiment, type EvaluateOptions, type EvaluationResult } from './pipeline';
import { regionView } from './regionView';

export interface RegionEvaluation extends EvaluationResult {
  region: RegionConfig;
  /** Methods in per_image.csv order (models in config order, then fusions). */
  methodOrder: string[];
}

export interface RegionsEvaluationResult {
  outputDir: string;
  summary: RegionsSummary;
  regions: RegionEvaluation[];
  /** Every region's findings, each message naming its region. */
  findings: Finding[];
  /** Rows over all regions (0: nothing was evaluated). */
  rows: number;
}

/** One region's part of the top files: its table (rows in `methodOrder`) and its summary. */
export interface RegionPart {
  region: RegionConfig;
  table: PerImageTable;
  methodOrder: readonly string[];
  summary: EvaluationSummary;
}

/**
 * The top files of a region evaluation (a run's or a merge's): per_image.csv with the region
 * column, summary.json by region (with `extra` fields, e.g. a merge's `merged_from`), and unless
 * `report` is false report.html's region sections; a report that cannot be drawn is a finding.
 */
export async function writeRegionTopFiles<X extends object>(
  outputDir: string,
  config: MedsegConfig,
  parts: readonly RegionPart[],
  extra: X,
  report: boolean,
): Promise<{ summary: RegionsSummary & X; reportFailed?: Finding }> {
  const images = new Set(parts.flatMap((p) => p.table.imageIds)).size;
  const summary = { ...regionsSummary(config.name, parts, images), ...extra };
  await writeChunksAtomic(resultPath(outputDir, 'per_image.csv'), regionPerImageCsvChunks(parts.map((p) => ({ region: p.region.name, table: p.table, methodOrder: p.methodOrder }))));
  await writeFileAtomic(resultPath(outputDir, 'summary.json'), formatResultsJson(summary));
  if (!report) return { summary };
  try {
    await writeRegionsReport(outputDir, summary, config.evaluation.metrics);
    return { summary };
  } catch (err) {
    return { summary, reportFailed: await reportFailedFinding(outputDir, err, { file: config.file }) };
  }
}

/** Evaluates every region of `config.dataset.regions` and writes the region results folder. */
export async function evaluateRegions(config: MedsegConfig, dataset: ResolvedDataset, options: EvaluateOptions = {}): Promise<RegionsEvaluationResult> {
  const regions = config.dataset.regions;
  if (!regions) throw new Error('evaluateRegions: the config has no dataset.regions');
  const outputDir = resultsFolderOf(config, options.outputDir);
  const destination = resultsDestination(outputDir);
  const split = options.split ?? config.evaluation.split;
  const command = options.command ?? `medseg evaluate ${config.file} --split ${split}`;
  return writingInto(
    destination,
    async () => {
      checkHoldsNoInputs(outputDir, datasetInputFiles(config, dataset));
      await probeWritable(destination);
      const lock = await acquireResultsLock(outputDir, command, options.lock);
      try {
        const results: RegionEvaluation[] = [];
        const findings: Finding[] = [];
        for (const [k, region] of regions.entries()) {
          const view = regionView(config, region);
          const result = await evaluateExperiment(view, dataset, {
            ...options,
            outputDir: regionFolder(outputDir, region.name),
            // Each region folder has its own lock as well: a `medseg stress` on one region meets this run there.
            lock: undefined,
            command,
            onProgress: options.onProgress && ((p) => options.onProgress!({ ...p, done: k * p.total + p.done, total: regions.length * p.total, imageId: p.imageId && `${p.imageId} (${region.name})` })),
          });
          const methodOrder = Object.keys(result.summary.methods);
          results.push({ ...result, region, methodOrder });
          pushAll(findings, result.findings.map((f) => ({ ...f, message: `Region ${region.name}: ${f.message}` })));
        }
        const top = await writeRegionTopFiles(outputDir, config, results, {}, options.report !== false);
        if (top.reportFailed) findings.push(top.reportFailed);
        return { outputDir, summary: top.summary, regions: results, findings, rows: results.reduce((a, r) => a + r.table.size, 0) };
      } finally {
        lock.release();
      }
    },
    { probe: false },
  );
}
