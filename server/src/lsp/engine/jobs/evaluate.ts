/** `medseg/evaluate` in the worker: resolve, run the engine's evaluation, summarise for the client. */
import type { EvaluatedMethods, EvaluateResult, MetricSummaryData } from '../../../protocol';
import type { MetricSummary } from '../../../core/metrics';
import { evaluateExperiment, evaluateRegions, type EvaluationProgress } from '../../../core/evaluate';
import type { Finding } from '../../../core/findings';
import type { EvaluationSummary } from '../../../core/results/summary';
import { runOutcome } from '../../../core/findings';
import { placeOnConfig } from '../../../core/validate';
import { toFindingData } from '../findingData';
import type { JobParams } from '../protocol';
import type { JobContext } from './context';
import { parsedConfig } from './parsedConfig';

export async function evaluateJob(p: JobParams['evaluate'], ctx: JobContext): Promise<EvaluateResult> {
  const { config, parsed } = parsedConfig(p, 'evaluate again');
  ctx.progress('Resolving dataset', 0);
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: 0 });
  const options = {
    split: p.split,
    provider: p.provider,
    signal: ctx.signal,
    onProgress: (e: EvaluationProgress) => ctx.progress(`${e.done}/${e.total}${e.imageId ? ` ${e.imageId}` : ''}`, e.total > 0 ? e.done / e.total : 1),
  };
  const placed = (errors: Finding[]) => errors.map((f) => toFindingData(placeOnConfig(f, parsed)));
  const datasetErrors = dataset.findings.filter((f) => f.severity === 'error');
  if (config.dataset.regions) {
    const result = await evaluateRegions(config, dataset, options);
    const regions = result.regions.map((r) => ({ name: r.region.name, methods: methodsOf(r.summary) }));
    const errors = [...datasetErrors, ...result.findings];
    return {
      outputDir: result.outputDir,
      ...(result.regions[0]?.summary.provider ? { provider: result.regions[0].summary.provider.used } : {}),
      images: result.summary.images,
      methods: regions[0]?.methods ?? {},
      regions,
      findings: placed(errors),
      outcome: runOutcome(result.rows, errors),
      skippedModels: result.summary.skipped_models.map((s) => ({ name: s.name, code: s.code, reason: `${s.reason} (region ${s.region})` })),
    };
  }
  const result = await evaluateExperiment(config, dataset, options);
  const errors = [...datasetErrors, ...result.findings];
  return {
    outputDir: result.outputDir,
    ...(result.summary.provider ? { provider: result.summary.provider.used } : {}),
    images: result.summary.images,
    methods: methodsOf(result.summary),
    findings: placed(errors),
    outcome: runOutcome(result.table.size, errors),
    skippedModels: result.summary.skipped_models ?? [],
  };
}

function methodsOf(summary: EvaluationSummary): EvaluatedMethods {
  const methods: EvaluatedMethods = {};
  for (const [name, m] of Object.entries(summary.methods)) {
    const metrics: Record<string, MetricSummaryData> = {};
    for (const [metric, s] of Object.entries(m.metrics)) if (s) metrics[metric] = metricData(s);
    methods[name] = { kind: m.kind, n: m.n, metrics };
  }
  return methods;
}

function metricData(s: MetricSummary): MetricSummaryData {
  return {
    n: s.n,
    excluded: s.excluded,
    ...(s.mean !== undefined ? { mean: s.mean } : {}),
    ...(s.median !== undefined ? { median: s.median } : {}),
    ...(s.std !== undefined ? { std: s.std } : {}),
    ...(s.ci95 !== undefined ? { ci95: s.ci95 } : {}),
  };
}
