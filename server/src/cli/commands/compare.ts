import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { analyzeResults } from '../../core/compare';
import { loadConfig } from '../../core/config';
import type { MedsegConfig } from '../../core/config/types';
import { regionView } from '../../core/evaluate/regionView';
import { writeRegionsReport } from '../../core/report/regionsReport';
import { regionFolder, type RegionsSummary } from '../../core/results/regionResults';
import { resolveDataset } from '../../core/dataset';
import { analysisOptions } from '../../core/evaluate/assemble';
import { writeFileAtomic } from '../../core/io';
import { writingInto } from '../../core/io/writeErrors';
import { readStoredEvaluation, rerenderReport } from '../../core/report/rerender';
import { REPORT_FILE, reportFailedFinding } from '../../core/report/staleReport';
import { withResultsLock } from '../../core/results/lock';
import { resultPath } from '../../core/results/resultPath';
import { formatResultsJson, formatSummaryJson, type EvaluationSummary } from '../../core/results/summary';
import type { CommandContext } from '../context';
import { formatFinding, formatP } from '../format';

export const compareHelp = `medseg compare <results-dir> [--alpha A] [--correction holm|bonferroni|bh|none]

Re-runs the statistics (paired comparisons, Friedman, selection, test-set size, learning curves)
on a stored per_image.csv without any inference, updates summary.json and report.html, and prints
the comparisons of the primary metric. A region evaluation's folder is compared region by region.`;

export async function runCompare(ctx: CommandContext): Promise<number> {
  const dir = ctx.positionals[0];
  if (!dir || ctx.positionals.length > 1) return ctx.usage(compareHelp);
  const alpha = ctx.flags.alpha === undefined ? undefined : Number(ctx.flags.alpha);
  if (alpha !== undefined && !(alpha > 0 && alpha < 1)) return ctx.usage(`--alpha must be a number between 0 and 1\n\n${compareHelp}`);
  const correction = ctx.flags.correction as string | undefined;
  if (correction !== undefined && !['holm', 'bonferroni', 'bh', 'none'].includes(correction)) return ctx.usage(`--correction must be holm, bonferroni, bh or none\n\n${compareHelp}`);
  const outputDir = resolve(dir);
  const summaryFile = resultPath(outputDir, 'summary.json');
  const top = await readRegionsSummary(summaryFile);
  if (!top) return compareFolder(ctx, outputDir, { alpha, correction });

  // A region evaluation: each region's folder is compared, then summary.json's region sections and the report follow.
  const parsed = await loadConfig(top.config);
  const regions = parsed.config?.dataset.regions;
  if (!parsed.config || !regions) {
    ctx.err(`medseg compare: the config ${top.config} recorded in summary.json cannot be loaded, or has no dataset.regions any more; run \`medseg validate\` on it.`);
    return 1;
  }
  const config = parsed.config;
  for (const name of Object.keys(top.regions)) {
    const region = regions.find((r) => r.name === name);
    if (!region) {
      ctx.err(`medseg compare: region \`${name}\` of ${summaryFile} is no longer in ${config.file}; run \`medseg evaluate\` again.`);
      return 1;
    }
    ctx.out(`Region ${name}`);
    const status = await compareFolder(ctx, regionFolder(outputDir, name), { alpha, correction, view: (c) => regionView(c, region) });
    if (status !== 0) return status;
    const updated = JSON.parse(await readFile(resultPath(regionFolder(outputDir, name), 'summary.json'), 'utf8')) as EvaluationSummary;
    top.regions[name] = { ...top.regions[name], ...updated };
  }
  const command = ['medseg', 'compare', ...process.argv.slice(3)].join(' ');
  const destination = { dir: outputDir, fix: `Copy the results folder to a writable place and run \`medseg compare\` on the copy.` };
  await writingInto(destination, () =>
    withResultsLock(outputDir, command, async () => {
      await writeFileAtomic(summaryFile, formatResultsJson(top));
      await writeRegionsReport(outputDir, top, config.evaluation.metrics);
    }),
  );
  return 0;
}

/** summary.json of a region evaluation, or undefined for any other folder (a binary summary, or none). */
async function readRegionsSummary(file: string): Promise<RegionsSummary | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as Partial<RegionsSummary>;
    return s && typeof s === 'object' && s.regions && typeof s.regions === 'object' && !('methods' in s) ? (s as RegionsSummary) : undefined;
  } catch {
    return undefined; // readStoredEvaluation says what is wrong with it
  }
}

interface CompareSettings {
  alpha?: number;
  correction?: string;
  /** The config as the folder was evaluated (a region's view). */
  view?: (config: MedsegConfig) => MedsegConfig;
}

/** The statistics of one binary results folder, again: summary.json and report.html rewritten, the comparisons printed. */
async function compareFolder(ctx: CommandContext, outputDir: string, settings: CompareSettings): Promise<number> {
  const summaryFile = resultPath(outputDir, 'summary.json');
  const stored = await readStoredEvaluation(outputDir);
  if (!stored) {
    ctx.err(`medseg compare: ${summaryFile} is missing: give a folder written by \`medseg evaluate\`.`);
    return 1;
  }
  const { summary, table } = stored;
  const parsed = await loadConfig(summary.config);
  if (!parsed.config) {
    ctx.err(`medseg compare: the config ${summary.config} recorded in summary.json cannot be loaded; run \`medseg validate\` on it.`);
    return 1;
  }
  const config = settings.view ? settings.view(parsed.config) : parsed.config;
  if (config.dataset.regions) {
    ctx.err(`medseg compare: ${outputDir} is one region's folder of a region evaluation: compare the evaluation's folder (the one holding regions/), which compares every region.`);
    return 1;
  }
  if (settings.alpha !== undefined) config.evaluation.compare.alpha = settings.alpha;
  if (settings.correction !== undefined) config.evaluation.compare.correction = settings.correction as 'holm';
  const dataset = await resolveDataset(config, { signal: ctx.signal });
  const labels = new Map(dataset.cases.map((c) => [c.id, c.labels]));
  const methods = Object.entries(summary.methods).map(([name, m]) => ({ name, kind: m.kind, family: m.family, trainSize: config.models.find((x) => x.name === name)?.trainSize }));
  const analysis = analyzeResults(table, methods, analysisOptions(config, dataset.labelColumns, (id) => labels.get(id) ?? {}));
  const updated: EvaluationSummary = { ...summary, ...analysis, compared: { time: new Date().toISOString(), alpha: config.evaluation.compare.alpha, correction: config.evaluation.compare.correction } };
  const command = ['medseg', 'compare', ...process.argv.slice(3)].join(' ');
  // compare rewrites the folder it reads: a read-only one is refused before the lock, with the way out.
  const destination = { dir: outputDir, fix: `Copy the results folder to a writable place and run \`medseg compare\` on the copy.` };
  const reportFailure = await writingInto(destination, () =>
    withResultsLock(outputDir, command, async () => {
      await writeFileAtomic(summaryFile, formatSummaryJson(updated));
      try {
        await rerenderReport(outputDir, { summary: updated, table }, { config, cases: dataset.cases, command });
        return undefined;
      } catch (err) {
        return reportFailedFinding(outputDir, err, { file: join(outputDir, REPORT_FILE) });
      }
    }),
  );
  if (reportFailure) ctx.err(formatFinding(reportFailure));

  const primary = config.evaluation.primaryMetric;
  ctx.out(`${summary.experiment}: paired comparisons of ${primary} (${config.evaluation.compare.correction}-adjusted, alpha ${config.evaluation.compare.alpha})`);
  for (const c of analysis.comparisons.filter((x) => x.metric === primary)) {
    const mark = c.p_adjusted < config.evaluation.compare.alpha ? '*' : ' ';
    ctx.out(`${mark} ${c.a} vs ${c.b}: ${c.test}, statistic ${c.statistic.toPrecision(4)}, p ${formatP(c.p)}, adjusted ${formatP(c.p_adjusted)} (n = ${c.n}, mean difference ${c.mean_difference.toFixed(4)})`);
  }
  const sel = analysis.selection;
  ctx.out(`best: ${sel.best_method ?? '–'}; significantly better than: ${Object.entries(sel.significantly_better_than).filter(([, v]) => v).map(([k]) => k).join(', ') || 'none'}`);
  return 0;
}
