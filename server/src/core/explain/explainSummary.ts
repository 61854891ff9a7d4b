/**
 * The numbers of explain.json from the per-image rows: per model the summary of each measure
 * (mean, median, SD, bootstrap CI, as summary.json summarises metrics), the models compared
 * pairwise on the heat inside the reference, and the families (TII vs LMI, …) compared on the
 * same images — each image's value for a family is the mean over the family's models — with the
 * paired test the data choose (Shapiro–Wilk on the differences, then t or Wilcoxon), Holm-adjusted.
 */
import { comparePair, type PairComparison } from '../compare/pairwise';
import { summarizeMetric } from '../metrics/aggregate';
import { adjustPValues } from '../stats';
import { EXPLAIN_MEASURES, type ExplainedImage, type ExplainMeasure, type FamilyComparison } from './explainReport';

/** One model's rows as columns on the run's image axis (NaN where an image has no row or no value). */
export interface ModelColumns {
  model: string;
  family: string;
  columns: Record<ExplainMeasure, Float64Array>;
  seconds: number[];
}

export function modelColumns(model: string, family: string, ids: readonly string[], rows: Iterable<ExplainedImage>): ModelColumns {
  const position = new Map(ids.map((id, i) => [id, i]));
  const columns = Object.fromEntries(EXPLAIN_MEASURES.map((m) => [m, new Float64Array(ids.length).fill(NaN)])) as Record<ExplainMeasure, Float64Array>;
  const seconds: number[] = [];
  for (const row of rows) {
    const i = position.get(row.id);
    if (i === undefined) continue;
    for (const m of EXPLAIN_MEASURES) columns[m][i] = row[m] ?? NaN;
    seconds.push(row.seconds);
  }
  return { model, family, columns, seconds };
}

export function summarizeModel(c: ModelColumns, options: { bootstrap: number; seed: number }) {
  const summary = Object.fromEntries(
    EXPLAIN_MEASURES.map((m) => [m, summarizeMetric(Array.from(c.columns[m], (v) => (Number.isNaN(v) ? undefined : v)), options)]),
  ) as Record<ExplainMeasure, ReturnType<typeof summarizeMetric>>;
  let total = 0;
  for (const s of c.seconds) total += s;
  return { summary, images: c.seconds.length, seconds_per_image: c.seconds.length ? total / c.seconds.length : null };
}

function pairs<T>(items: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) out.push([items[i], items[j]]);
  return out;
}

function pairedValues(a: Float64Array, b: Float64Array): [number[], number[]] {
  const xa: number[] = [];
  const xb: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    xa.push(a[i]);
    xb.push(b[i]);
  }
  return [xa, xb];
}

/** Every model pair on the heat inside the reference, Holm-adjusted over the pairs. */
export function compareModels(models: readonly ModelColumns[], alpha: number): PairComparison<ExplainMeasure>[] {
  const tested: Omit<PairComparison<ExplainMeasure>, 'p_adjusted'>[] = [];
  for (const [a, b] of pairs(models)) {
    const [xa, xb] = pairedValues(a.columns.inside_reference, b.columns.inside_reference);
    const c = comparePair<ExplainMeasure>(a.model, b.model, 'inside_reference', xa, xb, alpha);
    if (c) tested.push(c);
  }
  const adjusted = adjustPValues(tested.map((c) => c.p), 'holm');
  return tested.map((c, k) => ({ ...c, p_adjusted: adjusted[k] }));
}

/** Per image, the mean of a measure over a family's models (NaN unless every model of the family has it). */
function familyColumn(members: readonly ModelColumns[], measure: ExplainMeasure): Float64Array {
  const n = members[0].columns[measure].length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const m of members) sum += m.columns[measure][i];
    out[i] = sum / members.length;
  }
  return out;
}

const FAMILY_MEASURES: ExplainMeasure[] = ['inside_reference', 'inside_fp', 'inside_fn'];

/** Every pair of families on the heat inside the reference and on type I / type II pixels, Holm-adjusted per measure. */
export function compareFamilies(models: readonly ModelColumns[], alpha: number): FamilyComparison[] {
  const families = new Map<string, ModelColumns[]>();
  for (const m of models) {
    const list = families.get(m.family);
    if (list) list.push(m);
    else families.set(m.family, [m]);
  }
  const out: FamilyComparison[] = [];
  for (const measure of FAMILY_MEASURES) {
    const tested: Omit<FamilyComparison, 'p_adjusted'>[] = [];
    for (const [a, b] of pairs([...families.keys()])) {
      const [xa, xb] = pairedValues(familyColumn(families.get(a)!, measure), familyColumn(families.get(b)!, measure));
      const c = comparePair(a, b, measure, xa, xb, alpha);
      if (c) tested.push({ ...c, mean_a: xa.reduce((s, x) => s + x, 0) / xa.length, mean_b: xb.reduce((s, x) => s + x, 0) / xb.length });
    }
    const adjusted = adjustPValues(tested.map((c) => c.p), 'holm');
    tested.forEach((c, k) => out.push({ ...c, p_adjusted: adjusted[k] }));
  }
  return out;
}
