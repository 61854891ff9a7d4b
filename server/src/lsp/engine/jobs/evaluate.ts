/** `medseg/evaluate` in the worker: resolve, run the engine's evaluation, summarise for the client. */
import type { EvaluateResult, MetricSummaryData } from '../../../protocol';
import type { MetricSummary } from '../../../core/metrics';
import { evaluateExperiment } from '../../../core/evaluate';
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
  const result = await evaluateExperiment(config, dataset, {
    split: p.split,
    provider: p.provider,
    signal: ctx.signal,
    onProgress: (e) => ctx.progress(`${e.done}/${e.total}${e.imageId ? ` ${e.imageId}` : ''}`, e.total > 0 ? e.done / e.total : 1),
  });
  const methods: EvaluateResult['methods'] = {};
  for (const [name, m] of Object.entries(result.summary.methods)) {
    const metrics: Record<string, MetricSummaryData> = {};
    for (const [metric, s] of Object.entries(m.metrics)) if (s) metrics[metric] = metricData(s);
    methods[name] = { kind: m.kind, n: m.n, metrics };
  }
  const errors = [...dataset.findings.filter((f) => f.severity === 'error'), ...result.findings];
  const findings = errors.map((f) => toFindingData(placeOnConfig(f, parsed)));
  return {
    outputDir: result.outputDir,
    ...(result.summary.provider ? { provider: result.summary.provider.used } : {}),
    images: result.summary.images,
    methods,
    findings,
    outcome: runOutcome(result.table.size, errors),
    skippedModels: result.summary.skipped_models ?? [],
  };
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
