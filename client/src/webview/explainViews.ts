/**
 * The "Explanations" section of report.html and the dashboard: per explanation method a table of
 * the models (layer, exact or finite-difference gradients, heat inside the reference with its
 * interval, on type I and type II pixels, time per image), a dot-and-interval plot of those shares
 * per model coloured by family, the family and model comparisons as sentences, and per model the
 * thumbnails with the most and the least heat inside the reference. Draws `ReportExplain` as the
 * engine shaped it; computes nothing.
 */
import * as Plot from '@observablehq/plot';
import type { ExplainComparisonData, ExplainMethodSectionData, ExplainModelSectionData, ExplainThumbnailData, MetricSummaryData, PreviewLayerKind } from '../../../server/src/protocol';
import { appendAll, h } from './dom';
import type { ReportExplain } from '../../../server/src/protocol/reportData';

export interface ExplainViewOptions {
  /** A thumbnail was clicked: the dashboard opens the preview on the image with the model's heatmaps shown. */
  onImageClick?: (imageId: string, model: string, focusKind?: PreviewLayerKind) => void;
}

const slug = (text: string) => text.replace(/\W+/g, '-');

function pct(x: number | undefined): string {
  return x === undefined ? '–' : `${(100 * x).toFixed(1)}%`;
}

function withInterval(s: MetricSummaryData): string {
  return s.mean === undefined ? '–' : `${pct(s.mean)}${s.ci95 ? ` [${(100 * s.ci95[0]).toFixed(1)}, ${(100 * s.ci95[1]).toFixed(1)}]` : ''}`;
}

function intervalTitle(s: MetricSummaryData): string {
  return s.ci95 ? `95% CI ${pct(s.ci95[0])} – ${pct(s.ci95[1])}, n = ${s.n}` : `n = ${s.n}`;
}

function seconds(x: number | undefined): string {
  if (x === undefined) return '–';
  return x < 0.1 ? `${(1000 * x).toFixed(1)} ms` : `${x.toFixed(2)} s`;
}

const GRADIENTS: Record<ExplainModelSectionData['gradient'], string> = { exact: 'exact', differences: 'finite differences', none: 'none (gradient-free)' };

function modelTable(m: ExplainMethodSectionData): HTMLElement {
  const titles = ['model', 'family', m.inputGradient ? 'gradients of' : 'layer', 'gradients', 'images', 'Dice', 'heat inside the reference [95% CI]', 'inside the prediction', 'on FP (type I)', 'on FN (type II)', 'time / image'];
  const body = h('tbody');
  for (const row of m.models) {
    const gradient = h('td', {}, GRADIENTS[row.gradient], row.gradientNote ? h('div', { class: 'note' }, row.gradientNote) : undefined);
    body.append(
      h(
        'tr',
        row.gradient === 'differences' ? { class: 'medseg-changed' } : {},
        h('td', {}, row.model),
        h('td', {}, row.family),
        h('td', row.layerChoice ? { title: row.layerChoice === 'auto' ? 'chosen by the layer rule' : 'named in explain.gradcam.layer' } : {}, row.layer, row.layerShape ? h('div', { class: 'note medseg-layer-shape' }, row.layerShape) : undefined),
        gradient,
        h('td', { class: 'num' }, String(row.images), row.resumed ? h('div', { class: 'note' }, `${row.resumed} resumed`) : undefined),
        h('td', { class: 'num', title: intervalTitle(row.dice) }, row.dice.mean === undefined ? '–' : row.dice.mean.toFixed(3)),
        h('td', { class: 'num' }, withInterval(row.insideReference)),
        h('td', { class: 'num', title: intervalTitle(row.insidePrediction) }, pct(row.insidePrediction.mean)),
        h('td', { class: 'num', title: intervalTitle(row.insideFp) }, pct(row.insideFp.mean)),
        h('td', { class: 'num', title: intervalTitle(row.insideFn) }, pct(row.insideFn.mean)),
        h('td', { class: 'num' }, seconds(row.secondsPerImage)),
      ),
    );
  }
  return h('table', { class: 'medseg-table medseg-explain-table' }, h('thead', {}, h('tr', {}, titles.map((t) => h('th', {}, t)))), body);
}

const MEASURES = ['inside the reference', 'on FP (type I)', 'on FN (type II)'] as const;

/** Mean share of the heat with its interval, one row per model (grouped by family), one panel per measure. */
function sharePlot(m: ExplainMethodSectionData, width: number): Element | undefined {
  const points = m.models.flatMap((row) =>
    ([row.insideReference, row.insideFp, row.insideFn] as const).flatMap((s, k) =>
      s.mean === undefined ? [] : [{ model: row.model, family: row.family || '(none)', measure: MEASURES[k], mean: s.mean, lo: s.ci95?.[0], hi: s.ci95?.[1], n: s.n }],
    ),
  );
  if (points.length === 0) return undefined;
  const families = [...new Set(m.models.map((r) => r.family || '(none)'))];
  // Models of a family next to each other, in explain.json's order within it.
  const order = families.flatMap((f) => m.models.filter((r) => (r.family || '(none)') === f).map((r) => r.model));
  type Point = (typeof points)[number];
  return Plot.plot({
    width: Math.min(width, 1000),
    height: 70 + 22 * order.length,
    marginLeft: 150,
    marginRight: 20,
    x: { label: 'share of the heat (%) · mean with 95% interval', domain: [0, 100], percent: true, grid: true, ticks: [0, 25, 50, 75, 100] },
    y: { label: null, domain: order },
    fx: { label: null, domain: [...MEASURES], padding: 0.16 },
    color: { domain: families, legend: true, label: 'family' },
    marks: [
      Plot.frame({ stroke: 'var(--medseg-border, #d0d7de)' }),
      Plot.ruleY(
        points.filter((p) => p.lo !== undefined && p.hi !== undefined),
        { fx: 'measure', y: 'model', x1: 'lo', x2: 'hi', stroke: 'family', strokeWidth: 2 },
      ),
      Plot.dot(points, { fx: 'measure', y: 'model', x: 'mean', fill: 'family', r: 3.5, title: (p: Point) => `${p.model} (${p.family}), heat ${p.measure}: ${pct(p.mean)}${p.lo !== undefined ? ` [${pct(p.lo)}, ${pct(p.hi)}]` : ''}, n = ${p.n}` }),
    ],
  });
}

/** A difference of shares in percentage points; one that rounds to 0.0 has no sign. */
function signedPoints(x: number): string {
  const size = Math.abs(100 * x).toFixed(1);
  return `${size === '0.0' ? '' : x > 0 ? '+' : '−'}${size} pp`;
}

/** With a true minus sign (as the sentences write it); `digits` fixed, or as the number prints. */
function minus(x: number, digits?: number): string {
  const size = digits === undefined ? String(Math.abs(x)) : Math.abs(x).toFixed(digits);
  return `${x < 0 && Number(size) !== 0 ? '−' : ''}${size}`;
}

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

/** One row per model pair: the numbers of the sentence, which is the row's tooltip. */
function comparisonTable(comparisons: readonly ExplainComparisonData[]): HTMLElement {
  const titles = ['models', 'images', 'mean difference', 'test', 'statistic', 'p', 'Holm p', 'effect size'];
  const body = h('tbody');
  for (const c of comparisons) {
    const none = c.test.startsWith('none');
    body.append(
      h(
        'tr',
        { title: c.sentence },
        h('td', {}, `${c.a} vs ${c.b}`),
        h('td', { class: 'num' }, String(c.n)),
        h('td', { class: 'num' }, signedPoints(c.meanDifference)),
        h('td', {}, c.test),
        h('td', { class: 'num' }, none ? '–' : minus(+c.statistic.toPrecision(4))),
        h('td', { class: 'num' }, none ? '–' : fmtP(c.p)),
        h('td', { class: 'num' }, none ? '–' : fmtP(c.pAdjusted)),
        h('td', { class: 'num', title: c.effectName ?? '' }, c.effectSize === undefined ? '–' : minus(c.effectSize, 2)),
      ),
    );
  }
  return h('table', { class: 'medseg-table medseg-explain-pairs' }, h('thead', {}, h('tr', {}, titles.map((t) => h('th', {}, t)))), body);
}

function thumbnail(t: ExplainThumbnailData, options: ExplainViewOptions): HTMLElement {
  const label = `${t.imageId}${t.slice !== undefined ? ` (slice ${t.slice})` : ''}`;
  const figure = h(
    'figure',
    {},
    h('img', { src: t.src, alt: `${label}: heatmap of ${t.model}`, title: `${label} · ${t.model}\nheat inside the reference ${pct(t.insideReference)}, on type I (FP) ${pct(t.insideFp)}, on type II (FN) ${pct(t.insideFn)}; Dice ${t.dice.toFixed(3)}` }),
    h('figcaption', {}, h('div', {}, label), h('div', {}, `ref ${pct(t.insideReference)} · FP ${pct(t.insideFp)}`), h('div', {}, `FN ${pct(t.insideFn)} · Dice ${t.dice.toFixed(3)}`)),
  );
  if (options.onImageClick) {
    figure.classList.add('clickable');
    figure.addEventListener('click', () => options.onImageClick!(t.imageId, t.model, 'heatmap'));
  }
  return figure;
}

function modelGalleries(row: ExplainModelSectionData, options: ExplainViewOptions): HTMLElement | undefined {
  if (row.most.length === 0 && row.least.length === 0 && !row.galleryNote) return undefined;
  const strip = (kind: 'most' | 'least', items: ExplainThumbnailData[]) =>
    items.length
      ? h('div', { class: `medseg-explain-strip ${kind}` }, h('div', { class: 'note' }, `${kind} heat inside the reference`), h('div', { class: 'medseg-gallery medseg-explain-gallery' }, items.map((t) => thumbnail(t, options))))
      : undefined;
  return h(
    'div',
    { class: 'medseg-explain-model', 'data-model': row.model },
    h('h4', {}, `${row.model}${row.family ? ` (${row.family})` : ''}`),
    h('div', { class: 'medseg-explain-strips' }, strip('most', row.most), strip('least', row.least)),
    row.galleryNote ? h('p', { class: 'note' }, row.galleryNote) : undefined,
  );
}

function methodSection(m: ExplainMethodSectionData, width: number, options: ExplainViewOptions): HTMLElement {
  const what = m.inputGradient ? 'gradients with respect to the input image' : `layer: ${m.layerRule}`;
  const section = h(
    'section',
    { id: `explain-${slug(m.method)}`, class: 'medseg-subsection' },
    h('h3', {}, `${m.label} (${m.method})`),
    h('p', { class: 'note' }, `split ${m.split} · target: the ${m.target} · images: ${m.imageRule} · run ${m.time} · ${what}`),
    m.notes.map((n) => h('p', { class: 'medseg-flag' }, n)),
    modelTable(m),
    sharePlot(m, width),
  );
  if (m.families.length) appendAll(section, [h('h4', {}, 'Families'), h('ul', { class: 'medseg-explain-tests' }, m.families.map((c) => h('li', {}, c.sentence)))]);
  if (m.comparisons.length) {
    const more = m.comparisonCount - m.comparisons.length;
    appendAll(section, [
      h('h4', {}, 'Models compared on the heat inside the reference (paired, Holm-adjusted)'),
      comparisonTable(m.comparisons),
      more > 0 ? h('p', { class: 'note' }, `The ${m.comparisons.length} pairs with the smallest adjusted p; ${more} more in explain.json.`) : undefined,
    ]);
  }
  if (m.failureCount) {
    const more = m.failureCount - m.failures.length;
    appendAll(section, [h('h4', {}, `Not explained (${m.failureCount})`), h('ul', {}, m.failures.map((f) => h('li', { class: 'error' }, f))), more > 0 ? h('p', { class: 'note' }, `… and ${more} more in explain.json.`) : undefined]);
  }
  const galleries = m.models.map((row) => modelGalleries(row, options)).filter((g): g is HTMLElement => !!g);
  if (galleries.length) appendAll(section, [h('h4', {}, 'Heatmaps'), galleries]);
  return section;
}

export function explainSection(data: ReportExplain, width: number, options: ExplainViewOptions = {}): HTMLElement {
  return h(
    'section',
    { id: 'explain', class: 'medseg-section' },
    h('h2', {}, 'Explanations'),
    h(
      'p',
      { class: 'note' },
      'Where each model looks: the share of every heatmap\'s heat inside the reference, inside the prediction, on type I errors (FP pixels) and on type II errors (FN pixels), averaged over the images with a 95% bootstrap interval. ' +
        `Thumbnails: the ${data.galleryPerList} images with the most and the ${data.galleryPerList} with the least heat inside the reference per model, the heat from dark red (weak) to yellow (the image's hottest pixel), the reference outlined in blue.`,
    ),
    data.problems.map((p) => h('p', { class: 'medseg-flag' }, p)),
    data.notes.length ? h('ul', { class: 'note' }, data.notes.map((n) => h('li', {}, n))) : undefined,
    data.methods.map((m) => methodSection(m, width, options)),
  );
}
