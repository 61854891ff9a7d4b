/**
 * The results views — summary table, Dice box plots, ROC curves, comparison matrix, fusion gains,
 * size/learning curves, stress tests (stressViews.ts), explanations (explainViews.ts), galleries,
 * provenance — drawn with Observable Plot into a DOM element.
 * Runs in a browser only (report.html and the dashboard webview); it reads no file and makes no
 * request: everything comes in `ReportData`. Colours come from CSS variables so the dashboard
 * follows the VS Code theme and the report has its own light palette.
 */
import * as Plot from '@observablehq/plot';
import { metricDigits, type ReportData, type ReportGalleryItem } from '../../../server/src/protocol/reportData';
import { appendAll, type Children } from './dom';
import { stressSection } from './stressViews';
import { explainSection } from './explainViews';
import type { PreviewLayerKind } from '../../../server/src/protocol';

export type { ReportData } from '../../../server/src/protocol/reportData';

export interface RenderOptions {
  /** Called when a gallery image is clicked (the dashboard opens the preview; `focusKind`: the layers to show, e.g. an explanation's heatmaps). */
  onImageClick?: (imageId: string, method: string, focusKind?: PreviewLayerKind) => void;
  width?: number;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Children[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  appendAll(node, children);
  return node;
}

function fmt(x: number | undefined, digits = 3): string {
  return x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(digits);
}

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

function section(title: string, id: string, ...content: Children[]): HTMLElement {
  return el('section', { id, class: 'medseg-section' }, el('h2', {}, title), content.flat());
}

const FG = 'var(--medseg-fg, #222)';

/**
 * The method × metric table, made to fit: each metric cell holds the mean over its 95 % CI (two
 * short lines, not one long one), and it scrolls inside its own box with the header row and the
 * method column held in place, so even a table wider than the page never loses its labels.
 */
export function summaryTable(data: ReportData): HTMLElement {
  const table = el('table', { class: 'medseg-table medseg-summary-table' });
  const head = el('tr', {}, el('th', { scope: 'col' }, 'method'), el('th', { scope: 'col' }, 'family'), el('th', { scope: 'col', class: 'num' }, 'n'));
  for (const metric of data.metrics) head.append(el('th', { scope: 'col', class: 'num', title: `${metric}: mean and 95% CI` }, metric));
  head.append(el('th', { scope: 'col', class: 'num' }, 'pooled dice'), el('th', { scope: 'col', class: 'num' }, 'pooled AUROC'));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (const m of data.methods) {
    const best = data.selection?.bestMethod === m.name;
    // "(upper bound)" goes under the name: it must not set the width of the whole column.
    const name = el('th', { scope: 'row' }, m.name + (best ? ' ★' : ''), m.upperBound ? el('span', { class: 'medseg-ci' }, '(upper bound)') : undefined);
    const row = el('tr', best ? { class: 'medseg-best' } : {}, name, el('td', {}, m.family ?? (m.kind === 'fusion' ? 'fusion' : '')), el('td', { class: 'num' }, String(m.n)));
    for (const metric of data.metrics) {
      const s = m.metrics[metric];
      const digits = metricDigits(metric);
      row.append(
        el(
          'td',
          { class: 'num' },
          s?.mean === undefined ? '–' : fmt(s.mean, digits),
          s?.mean !== undefined && s.ci95 ? el('span', { class: 'medseg-ci' }, `[${fmt(s.ci95[0], digits)}, ${fmt(s.ci95[1], digits)}]`) : undefined,
        ),
      );
    }
    row.append(el('td', { class: 'num' }, fmt(m.pooled.dice)), el('td', { class: 'num' }, fmt(m.pooled.auroc)));
    body.append(row);
  }
  table.append(body);
  return el('div', { class: 'medseg-table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Summary table' }, table);
}

export function diceBoxPlot(data: ReportData, width: number): Element {
  const values = data.perImage.filter((r) => r.value !== undefined);
  return Plot.plot({
    width,
    height: 60 + 28 * data.methods.length,
    marginLeft: 160,
    x: { label: `per-image ${data.primaryMetric}`, grid: true },
    y: { label: null, domain: data.methods.map((m) => m.name) },
    marks: [Plot.boxX(values, { x: 'value', y: 'method', fill: 'var(--medseg-accent, #4477aa)', fillOpacity: 0.35, stroke: FG })],
  });
}

export function rocPlot(data: ReportData, width: number): Element | undefined {
  const rows = data.methods.flatMap((m) => (m.roc ? m.roc.fpr.map((fpr, i) => ({ method: `${m.name} (AUC ${fmt(m.pooled.auroc)})`, fpr, tpr: m.roc!.tpr[i] })) : []));
  if (rows.length === 0) return undefined;
  return Plot.plot({
    width: Math.min(width, 560),
    height: 420,
    x: { label: 'false-positive rate (pixels)', domain: [0, 1] },
    y: { label: 'true-positive rate (pixels)', domain: [0, 1] },
    color: { legend: true },
    marks: [Plot.line([[0, 0], [1, 1]], { stroke: '#999', strokeDasharray: '4 4' }), Plot.line(rows, { x: 'fpr', y: 'tpr', stroke: 'method', strokeWidth: 1.5 })],
  });
}

export function comparisonMatrix(data: ReportData, width: number): Element | undefined {
  const chosen = data.comparisons.filter((c) => c.metric === data.primaryMetric && c.chosen !== false);
  if (chosen.length === 0) return undefined;
  const cells = chosen.flatMap((c) => [
    { a: c.a, b: c.b, p: c.pAdjusted, label: `${fmtP(c.pAdjusted)}`, title: `${c.test}: statistic ${c.statistic.toPrecision(4)}, p ${fmtP(c.p)}, adjusted ${fmtP(c.pAdjusted)}` },
    { a: c.b, b: c.a, p: c.pAdjusted, label: `${fmtP(c.pAdjusted)}`, title: `${c.test}: statistic ${c.statistic.toPrecision(4)}, p ${fmtP(c.p)}, adjusted ${fmtP(c.pAdjusted)}` },
  ]);
  const names = [...new Set(cells.map((c) => c.a))];
  return Plot.plot({
    width: Math.min(width, 140 + 90 * names.length),
    height: 80 + 40 * names.length,
    marginLeft: 140,
    marginBottom: 80,
    padding: 0.05,
    x: { label: null, domain: names, tickRotate: -30 },
    y: { label: null, domain: names },
    color: { type: 'log', domain: [1e-4, 1], range: ['#b2182b', '#f7f7f7'], clamp: true, legend: true, label: 'adjusted p' },
    marks: [Plot.cell(cells, { x: 'a', y: 'b', fill: 'p', title: 'title' }), Plot.text(cells, { x: 'a', y: 'b', text: 'label', fill: '#111' })],
  });
}

export function fusionGainPlot(data: ReportData, width: number): Element | undefined {
  if (data.fusionGains.length === 0) return undefined;
  return Plot.plot({
    width: Math.min(width, 640),
    height: 60 + 30 * data.fusionGains.length,
    marginLeft: 160,
    x: { label: `mean ${data.primaryMetric} gain over the best single model`, grid: true },
    y: { label: null },
    marks: [Plot.barX(data.fusionGains, { x: 'gain', y: 'fusion', fill: (d: { gain: number }) => (d.gain >= 0 ? '#009E73' : '#D55E00') }), Plot.ruleX([0])],
  });
}

export function curvePlot(curve: ReportData['curves'][number], width: number): Element {
  const points = curve.x.map((x, i) => ({ x, y: curve.y[i], lo: curve.lo?.[i], hi: curve.hi?.[i] }));
  const marks: Plot.Markish[] = [Plot.line(points, { x: 'x', y: 'y', stroke: FG }), Plot.dot(points, { x: 'x', y: 'y', r: 2.5, fill: FG })];
  if (curve.lo && curve.hi) marks.unshift(Plot.areaY(points, { x: 'x', y1: 'lo', y2: 'hi', fill: 'var(--medseg-accent, #4477aa)', fillOpacity: 0.2 }));
  if (curve.target !== undefined) marks.push(Plot.ruleY([curve.target], { stroke: '#D55E00', strokeDasharray: '4 3' }));
  return Plot.plot({ width: Math.min(width, 640), height: 300, grid: true, x: { label: curve.xLabel }, y: { label: curve.yLabel }, marks });
}

function gallery(items: ReportGalleryItem[], options: RenderOptions): HTMLElement {
  const grid = el('div', { class: 'medseg-gallery' });
  for (const item of items) {
    const img = el('img', { src: item.png, alt: `${item.imageId} (${item.method})`, title: `${item.imageId} · ${item.method} · dice ${fmt(item.dice)}` });
    const figure = el('figure', {}, img, el('figcaption', {}, `${item.imageId} · ${fmt(item.dice)}`));
    if (options.onImageClick) {
      figure.classList.add('clickable');
      figure.addEventListener('click', () => options.onImageClick!(item.imageId, item.method));
    }
    grid.append(figure);
  }
  return grid;
}

/**
 * Skipped models and failed image results, right under the summary: a model missing from the table
 * above must say why, or the table reads as if every model of the config was evaluated.
 */
function notEvaluatedSection(data: ReportData): HTMLElement | undefined {
  const skipped = data.skippedModels ?? [];
  const failures = data.failures ?? [];
  const failureCount = data.failureCount ?? failures.length;
  if (skipped.length === 0 && failureCount === 0) return undefined;
  const parts: (HTMLElement | undefined)[] = [];
  if (skipped.length) {
    parts.push(el('h3', {}, `Skipped models (${skipped.length})`), el('ul', { class: 'error' }, skipped.map((m) => el('li', {}, `${m.name}: ${m.reason} [${m.code}]`))));
  }
  if (failureCount) {
    const more = failureCount - failures.length;
    parts.push(
      el('h3', {}, `Failed image results (${failureCount})`),
      el('ul', { class: 'error' }, failures.map((f) => el('li', {}, `${f.imageId}${f.method ? ` (${f.method})` : ''}: ${f.message} [${f.code}]`))),
      more > 0 ? el('p', { class: 'note' }, `… and ${more} more: summary.json lists every failure.`) : undefined,
    );
  }
  return section('Not evaluated', 'not-evaluated', parts);
}

/** Renders every section that has data into `root` (cleared first). */
export function renderReport(root: HTMLElement, data: ReportData, options: RenderOptions = {}): void {
  const width = options.width ?? Math.max(480, Math.min(1100, root.clientWidth || 960));
  root.replaceChildren();
  root.append(
    el('header', { class: 'medseg-header' }, el('h1', {}, `MedSeg Eval · ${data.experiment}`), el('p', {}, `split ${data.split} · ${data.images} images · provider ${data.provider ?? 'none (existing predictions)'} · ${data.time}`)),
  );
  root.append(section('Summary', 'summary', summaryTable(data), el('p', { class: 'note' }, 'Per metric: the mean, and below it a 95% percentile-bootstrap interval; `fusion:best` picks the best method per image using the reference, so it is an upper bound ("highest possible accuracy"), never a deployable model.')));
  const missing = notEvaluatedSection(data);
  if (missing) root.append(missing);
  if (data.selection) {
    const s = data.selection;
    const list = el('ul');
    if (s.bestMethod) list.append(el('li', {}, `Best method by mean ${data.primaryMetric}: ${s.bestMethod}`));
    if (s.note) list.append(el('li', {}, s.note));
    for (const [m, n] of Object.entries(s.correctImages ?? {})) list.append(el('li', {}, `${m}: ${n} images segmented correctly`));
    if (s.hardCases?.length) list.append(el('li', {}, `Hard cases (no method correct): ${s.hardCases.slice(0, 20).join(', ')}${s.hardCases.length > 20 ? ', …' : ''}`));
    root.append(section('Selection', 'selection', list));
  }
  root.append(section(`Per-image ${data.primaryMetric}`, 'boxplot', diceBoxPlot(data, width)));
  const roc = rocPlot(data, width);
  if (roc) root.append(section('ROC curves (pooled pixels)', 'roc', roc));
  const matrix = comparisonMatrix(data, width);
  if (matrix) root.append(section(`Paired comparisons (${data.primaryMetric}, adjusted p)`, 'comparisons', matrix));
  const gains = fusionGainPlot(data, width);
  if (gains) root.append(section('Fusion gains', 'fusion', gains));
  for (const curve of data.curves) root.append(section(curve.name, `curve-${curve.name.replace(/\W+/g, '-')}`, curvePlot(curve, width), curve.note ? el('p', { class: 'note' }, curve.note) : undefined));
  if (data.stress) root.append(stressSection(data.stress, width));
  if (data.explain) root.append(explainSection(data.explain, width, options));
  if (data.gallery.best.length || data.gallery.worst.length) {
    root.append(section('Best images', 'gallery-best', gallery(data.gallery.best, options)), section('Worst images', 'gallery-worst', gallery(data.gallery.worst, options)));
  }
  if (data.splits.length) {
    const list = el('ul');
    for (const f of data.splits) list.append(el('li', { class: f.severity }, `${f.severity}: ${f.message} [${f.code}]`));
    root.append(section('Split diagnostics', 'splits', list));
  }
  const prov = el('table', { class: 'medseg-table provenance' });
  for (const { label, value } of data.provenance) prov.append(el('tr', {}, el('th', {}, label), el('td', {}, el('code', {}, value))));
  root.append(section('Provenance', 'provenance', prov));
}
