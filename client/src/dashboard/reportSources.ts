/**
 * Where the dashboard's `ReportData` comes from, without computing anything: the JSON embedded
 * in the run's report.html (exactly what the report shows), else a reduced view built from
 * summary.json and the per-image rows (tables, box plots, comparisons; no galleries or curves).
 * The stress and explanations sections always come from the folder's stress.json and explain.json
 * files as the server shaped them, so a stress test or an explanation run newer than report.html
 * shows too.
 */
import type { ResultsData } from '../../../server/src/protocol';
import type { ReportData, ReportMethod, SummaryStat } from '../../../server/src/protocol/reportData';

/** The `<script id="medseg-data" type="application/json">` of report.html, parsed; undefined when absent or broken. */
export function extractReportData(html: string): ReportData | undefined {
  const m = /<script\b[^>]*\bid=["']medseg-data["'][^>]*>([\s\S]*?)<\/script>/i.exec(html);
  if (!m) return undefined;
  try {
    const data = JSON.parse(m[1]) as ReportData;
    return data && typeof data === 'object' && Array.isArray(data.methods) ? data : undefined;
  } catch {
    return undefined;
  }
}

/** The report's data with the stress section of the results folder as it is now (when the server sent one). */
export function withCurrentStress(data: ReportData, results: ResultsData): ReportData {
  return results.stress ? { ...data, stress: results.stress } : data;
}

/** The report's data with the explanations section of the results folder as it is now (when the server sent one). */
export function withCurrentExplain(data: ReportData, results: ResultsData): ReportData {
  return results.explain ? { ...data, explain: results.explain } : data;
}

/** The sections the server shapes from the folder's own files (stress.json, explain.json), as they are now. */
export function withCurrentSections(data: ReportData, results: ResultsData): ReportData {
  return withCurrentExplain(withCurrentStress(data, results), results);
}

type Json = Record<string, unknown>;

function obj(x: unknown): Json | undefined {
  return x && typeof x === 'object' && !Array.isArray(x) ? (x as Json) : undefined;
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

function stat(x: unknown): SummaryStat | undefined {
  const s = obj(x);
  if (!s) return undefined;
  const ci = Array.isArray(s.ci95) && s.ci95.length === 2 && s.ci95.every((v) => typeof v === 'number') ? (s.ci95 as [number, number]) : undefined;
  return { n: num(s.n) ?? 0, excluded: num(s.excluded) ?? 0, mean: num(s.mean), median: num(s.median), std: num(s.std), ...(ci ? { ci95: ci } : {}) };
}

/** A reduced report from summary.json (RESULTS.md shape) and per_image.csv rows. */
export function reportDataFromResults(results: ResultsData): ReportData {
  const s = results.summary;
  const methodsJson = obj(s.methods) ?? {};
  const metricSet = new Set<string>();
  const methods: ReportMethod[] = Object.entries(methodsJson).map(([name, raw]) => {
    const m = obj(raw) ?? {};
    const metrics: Record<string, SummaryStat> = {};
    for (const [metric, v] of Object.entries(obj(m.metrics) ?? {})) {
      const st = stat(v);
      if (st) {
        metrics[metric] = st;
        metricSet.add(metric);
      }
    }
    const pooled: Record<string, number | undefined> = {};
    for (const [k, v] of Object.entries(obj(m.pooled) ?? {})) pooled[k] = num(v);
    const roc = obj(m.roc);
    return {
      name,
      kind: m.kind === 'fusion' || name.startsWith('fusion:') ? 'fusion' : 'model',
      family: str(m.family),
      n: num(m.n) ?? 0,
      metrics,
      pooled,
      ...(roc && Array.isArray(roc.fpr) && Array.isArray(roc.tpr) ? { roc: { fpr: roc.fpr as number[], tpr: roc.tpr as number[] } } : {}),
      ...(name === 'fusion:best' ? { upperBound: true } : {}),
    };
  });
  const primary = metricSet.has('dice') ? 'dice' : ([...metricSet][0] ?? 'dice');
  const comparisons = (Array.isArray(s.comparisons) ? s.comparisons : [])
    .map(obj)
    .filter((c): c is Json => !!c && typeof c.a === 'string' && typeof c.b === 'string' && typeof c.p === 'number')
    .map((c) => ({
      a: c.a as string,
      b: c.b as string,
      metric: str(c.metric) ?? primary,
      test: str(c.test) ?? '',
      statistic: num(c.statistic) ?? Number.NaN,
      p: c.p as number,
      pAdjusted: num(c.p_adjusted) ?? (c.p as number),
      effectSize: num(c.effect_size),
      effectName: str(c.effect_name),
    }));
  const sel = obj(s.selection);
  const provider = obj(s.provider);
  const splits = (Array.isArray(s.splits) ? s.splits : []).map(obj).filter((f): f is Json => !!f && typeof f.message === 'string');
  const skippedModels = (Array.isArray(s.skipped_models) ? s.skipped_models : [])
    .map(obj)
    .filter((m): m is Json => !!m && typeof m.name === 'string')
    .map((m) => ({ name: m.name as string, code: str(m.code) ?? '', reason: str(m.reason) ?? '' }));
  const allFailures = (Array.isArray(s.failures) ? s.failures : []).map(obj).filter((f): f is Json => !!f && typeof f.image_id === 'string');
  const failures = allFailures.slice(0, 100).map((f) => ({ imageId: f.image_id as string, ...(str(f.method) ? { method: str(f.method) } : {}), code: str(f.code) ?? '', message: str(f.message) ?? '' }));
  return {
    experiment: str(s.experiment) ?? 'experiment',
    split: str(s.split) ?? '',
    images: num(s.images) ?? new Set(results.rows.map((r) => r.imageId)).size,
    time: str(s.time) ?? '',
    engineVersion: str(s.engine_version) ?? '',
    provider: str(provider?.used) ?? str(s.provider),
    primaryMetric: primary,
    metrics: [...metricSet],
    methods,
    perImage: results.rows.map((r) => ({ imageId: r.imageId, method: r.method, value: r.metrics[primary] })),
    comparisons,
    fusionGains: [],
    curves: [],
    ...(sel ? { selection: { bestMethod: str(sel.best_method), note: str(sel.note), correctImages: (obj(sel.correct_images) as Record<string, number> | undefined) ?? undefined } } : {}),
    gallery: { best: [], worst: [] },
    splits: splits.map((f) => ({ code: str(f.code) ?? '', severity: str(f.severity) ?? 'info', message: f.message as string })),
    skippedModels,
    failures,
    failureCount: allFailures.length,
    provenance: [
      { label: 'results', value: results.outputDir },
      { label: 'engine', value: str(s.engine_version) ?? '' },
    ],
    ...(results.stress ? { stress: results.stress } : {}),
    ...(results.explain ? { explain: results.explain } : {}),
  };
}
