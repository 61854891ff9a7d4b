/**
 * Paired comparison of every method pair on every metric, over the images where both have the
 * metric defined. The data choose the test: Shapiro–Wilk (Royston) on the differences; a paired
 * t-test when normality is not rejected at `alpha`, else the Wilcoxon signed-rank test. Both are
 * computed and reported; `chosen` marks the one whose p-value is adjusted (Holm by default, per
 * metric over all pairs) and used for decisions.
 */
import type { MetricName } from '../config/types';
import { adjustPValues, pairedTTest, shapiroWilk, wilcoxonSignedRank, friedman, type PValueAdjustment } from '../stats';

export interface TestOutcome {
  test: string;
  statistic: number;
  p: number;
  effect_size?: number;
  effect_name?: string;
}

export interface PairComparison<M extends string = MetricName> {
  a: string;
  b: string;
  metric: M;
  /** Images with the metric defined for both methods. */
  n: number;
  mean_difference: number;
  /** Shapiro–Wilk on a − b. */
  normality?: TestOutcome;
  t_test?: TestOutcome;
  wilcoxon?: TestOutcome;
  /** The chosen test's fields, flat as RESULTS.md names them. */
  test: string;
  statistic: number;
  p: number;
  p_adjusted: number;
  effect_size?: number;
  effect_name?: string;
  note?: string;
}

export interface FriedmanOutcome extends TestOutcome {
  metric: MetricName;
  methods: string[];
  n: number;
  df: number;
}

/**
 * One metric of every method on a shared image axis (`ids`): per method a column with the value
 * on each image, NaN where the metric is undefined or the method has no row for the image.
 */
export interface MetricValues {
  ids: readonly string[];
  /** The method's column (all NaN for a method without rows). */
  of(method: string): Float64Array;
  /** 1 where the method has a row for the image. */
  rows(method: string): Uint8Array;
}

/** The images where both methods have the metric, in axis order. */
function paired(values: MetricValues, a: string, b: string): [number[], number[]] {
  const va = values.of(a);
  const vb = values.of(b);
  const xa: number[] = [];
  const xb: number[] = [];
  for (let i = 0; i < va.length; i++) {
    const x = va[i];
    const y = vb[i];
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    xa.push(x);
    xb.push(y);
  }
  return [xa, xb];
}

function outcome(r: { test: string; statistic: number; p: number; effectSize?: number; effectName?: string }): TestOutcome {
  return { test: r.test, statistic: r.statistic, p: r.p, effect_size: r.effectSize, effect_name: r.effectName };
}

export function comparePair<M extends string = MetricName>(a: string, b: string, metric: M, xa: number[], xb: number[], alpha: number): Omit<PairComparison<M>, 'p_adjusted'> | undefined {
  const n = xa.length;
  if (n < 3) return undefined; // Shapiro–Wilk needs 3 pairs; fewer decide nothing
  const d = xa.map((x, i) => x - xb[i]);
  const meanDifference = d.reduce((s, x) => s + x, 0) / n;
  if (d.every((x) => x === d[0])) {
    // Identical differences: no spread, no test has a distribution to work with.
    return {
      a, b, metric, n, mean_difference: meanDifference,
      test: 'none (constant differences)', statistic: 0, p: d[0] === 0 ? 1 : 0,
      note: d[0] === 0 ? 'the two methods give identical values on every image' : 'every image differs by the same amount',
    };
  }
  const normality = outcome(shapiroWilk(d));
  const t = outcome(pairedTTest(xa, xb));
  const w = d.some((x) => x !== 0) ? outcome(wilcoxonSignedRank(xa, xb)) : undefined;
  const useT = normality.p >= alpha || !w;
  const chosen = useT ? t : w;
  return {
    a, b, metric, n, mean_difference: meanDifference, normality, t_test: t, wilcoxon: w,
    test: chosen.test, statistic: chosen.statistic, p: chosen.p, effect_size: chosen.effect_size, effect_name: chosen.effect_name,
  };
}

export function compareAllPairs(
  methods: readonly string[],
  metrics: readonly MetricName[],
  valuesOf: (metric: MetricName) => MetricValues,
  alpha: number,
  correction: PValueAdjustment,
): PairComparison[] {
  const out: PairComparison[] = [];
  for (const metric of metrics) {
    const values = valuesOf(metric);
    const family: Omit<PairComparison, 'p_adjusted'>[] = [];
    for (let i = 0; i < methods.length; i++)
      for (let j = i + 1; j < methods.length; j++) {
        const [xa, xb] = paired(values, methods[i], methods[j]);
        const c = comparePair(methods[i], methods[j], metric, xa, xb, alpha);
        if (c) family.push(c);
      }
    const adjusted = adjustPValues(family.map((c) => c.p), correction);
    family.forEach((c, k) => out.push({ ...c, p_adjusted: adjusted[k] }));
  }
  return out;
}

/** Friedman across methods on the images where every method has the metric defined. */
export function friedmanAcross(methods: readonly string[], metric: MetricName, values: MetricValues): FriedmanOutcome | undefined {
  if (methods.length < 3) return undefined;
  const columns = methods.map((m) => values.of(m));
  const images: number[] = [];
  for (let i = 0; i < values.ids.length; i++) if (columns.every((c) => !Number.isNaN(c[i]))) images.push(i);
  if (images.length < 2) return undefined;
  const groups = columns.map((c) => images.map((i) => c[i]));
  // All-equal blocks carry no ranking information; scipy would divide by zero on an all-tied table.
  if (images.every((_, k) => groups.every((g) => g[k] === groups[0][k]))) return undefined;
  const r = friedman(groups);
  return { metric, methods: [...methods], n: images.length, df: r.df, ...outcome(r) };
}
