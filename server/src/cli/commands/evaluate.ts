import type { MetricName, SplitName } from '../../core/config/types';
import { metricDigits } from '../../protocol/reportData';
import { resolveDataset } from '../../core/dataset';
import { evaluateExperiment, evaluateRegions, type EvaluationProgress, type Shard } from '../../core/evaluate';
import { runOutcome, type RunOutcome } from '../../core/findings';
import type { EvaluationSummary } from '../../core/results/summary';
import { maxOf } from '../../core/util/arrays';
import { placeOnConfig } from '../../core/validate';
import type { CommandContext } from '../context';
import { exitForOutcome, RUN_EXIT_STATUS } from '../exitCodes';
import { loadConfigForRun } from '../loadConfigForRun';
import { displayPath, formatFinding, plural } from '../format';
import { outputFlagHelp } from './outputFlag';

export const evaluateHelp = `medseg evaluate <config.medseg.yaml> [options]

Runs every model of the config on the chosen split (ONNX inference, or existing predictions),
computes per-image metrics, confidence intervals and pooled metrics, and writes
per_image.csv, summary.json, masks/ and prob/ under <output>/<name>/. With dataset.regions, each
region is evaluated as its own binary task into regions/<name>/, and the top per_image.csv has a
region column and summary.json a section per region.
Predictions are cached: a repeated run does no inference; an interrupted run resumes.

  --split train|val|test|all     split to evaluate (default: evaluation.split)
${outputFlagHelp(33)}
  --provider auto|cpu|cuda|webgpu  execution provider (default: runtime.provider)
  --shard I/N                    evaluate the I-th of N deterministic shards (1-based)
  --json                         print summary.json instead of the table

Models that cannot run (unreadable, a shape the config does not fit, a provider missing) are
skipped, listed in summary.json (\`skipped_models\`: name, code, reason) and in report.html.

${RUN_EXIT_STATUS}`;

const SPLITS = ['train', 'val', 'test', 'all'];
const PROVIDERS = ['auto', 'cpu', 'cuda', 'webgpu'];

export function parseShard(text: string | undefined): Shard | undefined | Error {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) return new Error(`--shard must be I/N with 1 ≤ I ≤ N (got ${text})`);
  return { index: Number(m[1]) - 1, count: Number(m[2]) };
}

export async function runEvaluate(ctx: CommandContext): Promise<number> {
  const file = ctx.positionals[0];
  if (!file || ctx.positionals.length > 1) return ctx.usage(evaluateHelp);
  const split = ctx.flags.split as string | undefined;
  const provider = ctx.flags.provider as string | undefined;
  const shard = parseShard(ctx.flags.shard as string | undefined);
  if (split !== undefined && !SPLITS.includes(split)) return ctx.usage(`--split must be one of ${SPLITS.join(', ')}\n\n${evaluateHelp}`);
  if (provider !== undefined && !PROVIDERS.includes(provider)) return ctx.usage(`--provider must be one of ${PROVIDERS.join(', ')}\n\n${evaluateHelp}`);
  if (shard instanceof Error) return ctx.usage(`${shard.message}\n\n${evaluateHelp}`);

  const parsed = await loadConfigForRun(ctx, file);
  if (!parsed) return 1;
  const config = parsed.config;
  ctx.progress('Resolving dataset');
  const dataset = await resolveDataset(config, { signal: ctx.signal });
  const datasetErrors = dataset.findings.filter((f) => f.severity === 'error');
  for (const f of datasetErrors) ctx.err(formatFinding(placeOnConfig(f, parsed)));
  if (datasetErrors.length > 0) ctx.err(`${plural(datasetErrors.length, 'dataset error')} (cases affected are skipped); \`medseg validate\` lists everything.`);

  const options = {
    split: split as SplitName | 'all' | undefined,
    provider: provider as 'auto' | undefined,
    outputDir: ctx.flags.output as string | undefined,
    shard,
    command: ['medseg', 'evaluate', ...process.argv.slice(3)].join(' '),
    signal: ctx.signal,
    onProgress: (p: EvaluationProgress) => ctx.progress(`${p.done}/${p.total} ${p.imageId ?? ''} (${p.inferences} inferences)`, p.total ? p.done / p.total : 1),
  };
  if (config.dataset.regions) {
    const result = await evaluateRegions(config, dataset, options);
    for (const f of result.findings) ctx.err(formatFinding(placeOnConfig(f, parsed)));
    if (ctx.flags.json) ctx.out(JSON.stringify(result.summary, null, 2));
    else {
      for (const r of result.regions) ctx.out(`Region ${r.region.name} (labels ${r.region.labels.join(', ')})\n${formatSummaryTable(r.summary, config.evaluation.metrics)}\n`);
      ctx.out(`Results: ${displayPath(result.outputDir)}/ (report.html, per_image.csv with a region column, summary.json by region; each region's files in regions/<name>/)`);
    }
    const outcome = runOutcome(result.rows, [...datasetErrors, ...result.findings]);
    if (outcome !== 'complete') ctx.err(outcomeLine(outcome, result.summary));
    return exitForOutcome(outcome);
  }
  const result = await evaluateExperiment(config, dataset, options);
  for (const f of result.findings) ctx.err(formatFinding(placeOnConfig(f, parsed)));
  if (ctx.flags.json) ctx.out(JSON.stringify(result.summary, null, 2));
  else {
    ctx.out(formatSummaryTable(result.summary, config.evaluation.metrics));
    ctx.out(`\nResults: ${displayPath(result.outputDir)}/ (report.html, per_image.csv, summary.json, masks/, prob/, errors/)`);
  }
  const outcome = runOutcome(result.table.size, [...datasetErrors, ...result.findings]);
  if (outcome !== 'complete') ctx.err(outcomeLine(outcome, result.summary));
  return exitForOutcome(outcome);
}

/** The last line of a run that did not evaluate everything: what is missing and where it is listed. */
export function outcomeLine(outcome: RunOutcome, summary: Pick<EvaluationSummary, 'failures' | 'skipped_models'>): string {
  const skipped = summary.skipped_models ?? [];
  const parts = [
    ...(skipped.length ? [`${plural(skipped.length, 'model')} skipped (${skipped.map((m) => m.name).join(', ')})`] : []),
    ...(summary.failures.length ? [`${plural(summary.failures.length, 'image result')} failed`] : []),
  ];
  const what = parts.length ? `: ${parts.join(', ')} (summary.json, report.html)` : ' (see the errors above)';
  return outcome === 'nothing' ? `Nothing was evaluated${what}.` : `Finished with errors${what}.`;
}

function fmt(x: number | undefined, digits: number): string {
  return x === undefined ? '–' : x.toFixed(digits);
}

/** Method × metric: mean [95 % CI]; distances in pixels or mm, avd in pixels or mL. */
export function formatSummaryTable(summary: EvaluationSummary, metrics: readonly MetricName[]): string {
  const header = ['method', 'n', ...metrics];
  const rows = Object.entries(summary.methods).map(([name, m]) => [
    name,
    String(m.n),
    ...metrics.map((metric) => {
      const s = m.metrics[metric];
      const digits = metricDigits(metric);
      if (!s || s.mean === undefined) return '–';
      return s.ci95 ? `${fmt(s.mean, digits)} [${fmt(s.ci95[0], digits)}, ${fmt(s.ci95[1], digits)}]` : fmt(s.mean, digits);
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, maxOf(rows.map((r) => r[i].length), 0)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const provider = summary.provider ? `provider: ${summary.provider.used}` : 'provider: none (existing predictions)';
  return [
    `${summary.experiment} · split ${summary.split} · ${plural(summary.images, 'image')} · ${provider} · mean [95% bootstrap CI]`,
    line(header),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}
