/**
 * report.html of a region evaluation: one section per region (its labels, images, every method's
 * mean and 95 % CI of each selected metric, the best method and how sure the data are of it, the
 * fusion chosen on validation, failures), each linking to the region's full report
 * (`regions/<name>/report.html`, the binary report with galleries, plots and provenance). Static
 * HTML, no script: it opens anywhere the full reports do.
 */
import type { MetricName } from '../config/types';
import { writeFileAtomic } from '../io';
import type { RegionsSummary } from '../results/regionResults';
import { resultPath } from '../results/resultPath';
import type { EvaluationSummary } from '../results/summary';
import { metricDigits } from '../../protocol/reportData';
import { escapeHtml } from './html';

function fmt(x: number | undefined, metric: string): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(metricDigits(metric));
}

interface Selection {
  best_method?: string;
  primary_metric?: string;
  significantly_better_than?: Record<string, boolean>;
}

function methodTable(summary: EvaluationSummary, metrics: readonly MetricName[]): string {
  const head = `<tr><th>method</th><th>n</th>${metrics.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}</tr>`;
  const rows = Object.entries(summary.methods).map(([name, m]) => {
    const cells = metrics.map((metric) => {
      const s = m.metrics[metric];
      if (!s || s.mean === undefined) return '<td>–</td>';
      const ci = s.ci95 ? ` <span class="ci">[${fmt(s.ci95[0], metric)}, ${fmt(s.ci95[1], metric)}]</span>` : '';
      return `<td>${fmt(s.mean, metric)}${ci}</td>`;
    });
    return `<tr><td>${escapeHtml(name)}</td><td>${m.n}</td>${cells.join('')}</tr>`;
  });
  return `<table>${head}${rows.join('')}</table>`;
}

function selectionLine(summary: EvaluationSummary): string {
  const s = summary.selection as Selection | undefined;
  if (!s?.best_method) return '<p>No method could be selected (no image with the primary metric defined).</p>';
  const others = Object.entries(s.significantly_better_than ?? {});
  const beaten = others.filter(([, yes]) => yes).map(([m]) => m);
  const sure = others.length === 0 ? '' : beaten.length === others.length ? ', significantly better than every other method' : beaten.length > 0 ? `, significantly better than ${beaten.map(escapeHtml).join(', ')} only` : ', not significantly better than any other method';
  return `<p>Best by ${escapeHtml(s.primary_metric ?? 'dice')}: <b>${escapeHtml(s.best_method)}</b>${sure}.</p>`;
}

function fusionLine(summary: EvaluationSummary): string {
  const f = summary.fusion as { deployable?: { chosen_on_validation?: string } } | undefined;
  const chosen = f?.deployable?.chosen_on_validation;
  return chosen ? `<p>Fusion chosen on the validation split: <b>${escapeHtml(chosen)}</b>.</p>` : '';
}

export function renderRegionsReport(summary: RegionsSummary, metrics: readonly MetricName[]): string {
  const sections = Object.entries(summary.regions).map(([name, r]) => {
    const failures = r.failures.length > 0 ? `<p class="warn">${r.failures.length} image result(s) failed in this region (summary.json <code>failures</code>).</p>` : '';
    const skipped = (r.skipped_models ?? []).length > 0 ? `<p class="warn">Skipped: ${(r.skipped_models ?? []).map((s) => `${escapeHtml(s.name)} (${escapeHtml(s.reason)})`).join('; ')}</p>` : '';
    const tolerance = r.nsd_tolerance !== undefined ? `, NSD tolerance ${r.nsd_tolerance}` : '';
    return `<section id="region-${escapeHtml(name)}">
<h2>Region ${escapeHtml(name)}</h2>
<p>Labels ${r.labels.join(', ')}${tolerance} · ${r.images} image(s) · <a href="${escapeHtml(r.folder)}/report.html">full report of this region</a> (galleries, plots, comparisons, provenance)</p>
${methodTable(r, metrics)}
${selectionLine(r)}${fusionLine(r)}${failures}${skipped}
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>MedSeg Eval · ${escapeHtml(summary.experiment)} · regions</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}.ci{color:#666;font-size:90%}.warn{color:#a40}</style>
</head>
<body>
<h1>${escapeHtml(summary.experiment)}: evaluation by region</h1>
<p>Split ${escapeHtml(summary.split)} · ${summary.images} image(s) · engine ${escapeHtml(summary.engine_version)} · ${escapeHtml(summary.time)}. Each region is scored as its own binary task; means with 95 % bootstrap intervals.</p>
<nav>${Object.keys(summary.regions).map((n) => `<a href="#region-${escapeHtml(n)}">${escapeHtml(n)}</a>`).join(' · ')}</nav>
${sections.join('\n')}
</body>
</html>
`;
}

export async function writeRegionsReport(outputDir: string, summary: RegionsSummary, metrics: readonly MetricName[]): Promise<void> {
  await writeFileAtomic(resultPath(outputDir, 'report.html'), renderRegionsReport(summary, metrics));
}
