/**
 * The "Stress tests" section of report.html and the dashboard: per label column a dot-and-interval
 * plot and a table of every mix scenario (rank changes against the split as it is highlighted,
 * type I / type II rates), and per perturbation the degradation curves of every method with their
 * interval bands and drop strengths. Draws `ReportStress` as the engine shaped it; computes nothing.
 */
import * as Plot from '@observablehq/plot';
import { h } from './dom';
import type { ReportStress } from '../../../server/src/protocol/reportData';

type Scenario = ReportStress['labelMixes'][number]['scenarios'][number];
type Perturbation = ReportStress['perturbations'][number];

const CHANGED = '#D55E00';

function fixed(x: number | null | undefined, digits = 3): string {
  return x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(digits);
}

function pct(x: number | undefined): string {
  return x === undefined ? '–' : `${(100 * x).toFixed(1)}%`;
}

/** Method names, so a method keeps its colour in every plot of the section. */
function methodsOf(data: ReportStress): string[] {
  const names = [...data.labelMixes.flatMap((c) => c.scenarios[0]?.methods.map((m) => m.method) ?? []), ...data.perturbations.flatMap((p) => p.curves.map((c) => c.method))];
  return [...new Set(names)];
}

function methodLabel(method: string, data: ReportStress): string {
  return method === data.upperBound ? `${method} (upper bound)` : method;
}

function rankText(rank: number | undefined, splitRank: number | undefined, baseline: boolean): string {
  if (rank === undefined) return 'upper bound';
  if (baseline || splitRank === undefined || splitRank === rank) return String(rank);
  return `${rank} ${rank < splitRank ? '▲' : '▼'} (was ${splitRank})`;
}

/** Mean Dice with its interval, one row of dots per scenario and method; rank changes ringed. */
function mixPlot(scenarios: Scenario[], colours: string[], width: number): Element {
  const points = scenarios.flatMap((s) =>
    s.methods.filter((m) => m.dice !== undefined).map((m) => ({ scenario: s.name, method: m.method, dice: m.dice!, lo: m.ci95?.[0], hi: m.ci95?.[1], changed: m.rankChanged })),
  );
  const methods = scenarios[0]?.methods.length ?? 1;
  return Plot.plot({
    width: Math.min(width, 760),
    height: 50 + scenarios.length * (methods * 16 + 10),
    marginLeft: 150,
    marginRight: 150,
    x: { label: 'mean Dice (95% interval)', grid: true },
    y: { label: null, domain: colours.filter((c) => points.some((p) => p.method === c)) },
    fy: { label: null, domain: scenarios.map((s) => s.name) },
    color: { domain: colours, legend: true },
    marks: [
      Plot.frame({ stroke: 'var(--medseg-border, #d0d7de)' }),
      Plot.ruleY(
        points.filter((p) => p.lo !== undefined && p.hi !== undefined),
        { fy: 'scenario', y: 'method', x1: 'lo', x2: 'hi', stroke: 'method', strokeWidth: 2 },
      ),
      Plot.dot(points, { fy: 'scenario', y: 'method', x: 'dice', fill: 'method', r: 3.5, title: (p: (typeof points)[number]) => `${p.method} · ${p.scenario}: ${fixed(p.dice)}` }),
      Plot.dot(
        points.filter((p) => p.changed),
        { fy: 'scenario', y: 'method', x: 'dice', r: 7, stroke: CHANGED, strokeWidth: 1.5 },
      ),
    ],
  });
}

function mixTable(scenarios: Scenario[], data: ReportStress): HTMLElement {
  const head = h('tr', {}, ['scenario', 'method', 'mean Dice [95% CI]', 'rank', 'type I: FP px', 'type I: FP empty', 'type II: FN px', 'type II: missed'].map((t) => h('th', {}, t)));
  const body = h('tbody');
  for (const s of scenarios) {
    s.methods.forEach((m, i) => {
      const row = h('tr', m.rankChanged ? { class: 'medseg-changed' } : {});
      if (i === 0) {
        const changed = s.rankingChanged
          ? h('div', { class: 'medseg-flag' }, `ranking changed${s.changedInRepeats === undefined ? '' : ` in ${(100 * s.changedInRepeats).toFixed(0)}% of the repeats`}: ${s.swaps.join('; ')}`)
          : undefined;
        row.append(h('th', { rowspan: String(s.methods.length), scope: 'rowgroup' }, h('div', {}, s.name), h('div', { class: 'note' }, s.detail), changed, s.note ? h('div', { class: 'note' }, s.note) : undefined));
      }
      const dice = m.dice === undefined ? '–' : `${fixed(m.dice)}${m.ci95 ? ` [${fixed(m.ci95[0])}, ${fixed(m.ci95[1])}]` : ''}`;
      row.append(
        h('td', {}, methodLabel(m.method, data)),
        h('td', { class: 'num' }, dice),
        h('td', { class: 'num' }, rankText(m.rank, m.splitRank, s.baseline)),
        h('td', { class: 'num' }, pct(m.fpPixelRate)),
        h('td', { class: 'num' }, pct(m.emptyRefFpRate)),
        h('td', { class: 'num' }, pct(m.fnPixelRate)),
        h('td', { class: 'num' }, pct(m.missedRate)),
      );
      body.append(row);
    });
  }
  return h('table', { class: 'medseg-table medseg-stress-table' }, h('thead', {}, head), body);
}

/** Mean Dice against strength per method, the interval as a band, each drop strength marked on the method's broken line. */
function degradationPlot(p: Perturbation, colours: string[], width: number): Element {
  const xOf = (l: number) => (p.graded ? p.levels[l].strength : p.levels[l].label);
  const points = p.curves.flatMap((c) =>
    p.levels.map((_, l) => ({ method: c.method, upper: c.upperBound, x: xOf(l), dice: c.dice[l] ?? undefined, lo: c.lo[l] ?? undefined, hi: c.hi[l] ?? undefined, n: c.n[l] })),
  );
  const drops = p.curves.filter((c) => c.drop && c.target !== undefined).map((c) => ({ method: c.method, x: p.graded ? c.drop!.strength : c.drop!.label, target: c.target!, label: c.drop!.label }));
  const line = (upper: boolean) =>
    Plot.line(
      points.filter((q) => q.upper === upper),
      { x: 'x', y: 'dice', z: 'method', stroke: 'method', strokeWidth: 1.75, ...(upper ? { strokeDasharray: '5 3' } : {}) },
    );
  return Plot.plot({
    width: Math.min(width, 720),
    height: 320,
    grid: true,
    x: p.graded ? { label: p.unit } : { label: p.unit, type: 'point', domain: p.levels.map((l) => l.label) },
    y: { label: 'mean Dice' },
    color: { domain: colours, legend: true },
    marks: [
      Plot.areaY(
        points.filter((q) => q.lo !== undefined && q.hi !== undefined),
        { x: 'x', y1: 'lo', y2: 'hi', z: 'method', fill: 'method', fillOpacity: 0.12 },
      ),
      line(false),
      line(true),
      Plot.dot(points, { x: 'x', y: 'dice', fill: 'method', r: 2.5, title: (q: (typeof points)[number]) => `${q.method} at ${q.x}: ${fixed(q.dice)} (n = ${q.n})` }),
      Plot.ruleX(drops, { x: 'x', stroke: 'method', strokeDasharray: '2 3', strokeOpacity: 0.8 }),
      Plot.dot(drops, { x: 'x', y: 'target', stroke: 'method', fill: 'var(--medseg-bg, #fff)', symbol: 'diamond', r: 5, strokeWidth: 2, title: (d: (typeof drops)[number]) => `${d.method}: mean Dice ${fixed(d.target)} at ${d.x}` }),
    ],
  });
}

function dropTable(p: Perturbation, data: ReportStress): HTMLElement {
  const last = p.levels.length - 1;
  const head = h('tr', {}, h('th', {}, 'method'), h('th', {}, 'unperturbed'), h('th', {}, `at ${p.levels[last]?.label ?? '–'}`), h('th', {}, `mean Dice −${data.dropThreshold} at`));
  const body = h('tbody');
  for (const c of p.curves) {
    const drop = !c.drop ? 'not reached' : p.graded ? `${+c.drop.strength.toPrecision(3)} (first below at ${c.drop.label})` : c.drop.label;
    body.append(h('tr', c.drop ? { class: 'medseg-broken' } : {}, h('td', {}, methodLabel(c.method, data)), h('td', { class: 'num' }, fixed(c.dice[0])), h('td', { class: 'num' }, fixed(c.dice[last])), h('td', { class: 'num' }, drop)));
  }
  return h('table', { class: 'medseg-table medseg-stress-table' }, h('thead', {}, head), body);
}

const slug = (text: string) => text.replace(/\W+/g, '-');

export function stressSection(data: ReportStress, width: number): HTMLElement {
  const section = h('section', { id: 'stress', class: 'medseg-section' }, h('h2', {}, 'Stress tests'));
  if (data.problem) {
    section.append(h('p', { class: 'medseg-flag' }, data.problem));
    return section;
  }
  section.append(
    h(
      'p',
      { class: 'note' },
      `split ${data.split} · run ${data.time} · label mixes resampled ${data.repeats}× (seed ${data.seed}), ranked by mean Dice` +
        (data.upperBound ? ` (${data.upperBound} is the reference-aware upper bound, not ranked)` : '') +
        `. Type I: FP px = FP/(FP+TN) pooled, FP empty = images with an empty reference and any predicted pixel; type II: FN px = FN/(FN+TP) pooled, missed = images with a lesion and Dice 0. Highlighted: a rank reversed against the split as it is.`,
    ),
  );
  if (data.notes.length) section.append(h('ul', { class: 'note' }, data.notes.map((n) => h('li', {}, n))));
  const colours = methodsOf(data);
  for (const column of data.labelMixes) {
    section.append(h('section', { id: `stress-mix-${slug(column.column)}`, class: 'medseg-subsection' }, h('h3', {}, `Label mixes of ${column.column}`), mixPlot(column.scenarios, colours, width), mixTable(column.scenarios, data)));
  }
  for (const p of data.perturbations) {
    section.append(
      h(
        'section',
        { id: `stress-${slug(p.kind)}`, class: 'medseg-subsection' },
        h('h3', {}, `Perturbation: ${p.kind}${data.perturbationImages === undefined ? '' : ` (${data.perturbationImages} images)`}`),
        degradationPlot(p, colours, width),
        dropTable(p, data),
        h('p', { class: p.rankingChangesAt ? 'note medseg-flag' : 'note' }, `Ranking ${p.ranking}. A diamond marks where a method's mean Dice has fallen ${data.dropThreshold} below its unperturbed value.`),
      ),
    );
  }
  return section;
}
