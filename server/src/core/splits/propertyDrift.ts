/**
 * Image and mask property drift: for each property of ./caseProperties, train against each other
 * split. Continuous properties get a two-sample Kolmogorov–Smirnov test (any difference in
 * distribution) and a Mann–Whitney U test (a shift), and Shapiro–Wilk on each sample says whether
 * a t-test would have been valid; the empty-mask rate gets a chi-square test on its 2×2 table.
 * A property drifts when the smaller p-value, Holm-adjusted over all the tests made, is below alpha.
 */
import type { SplitName } from '../config/types';
import type { ConfigPath, Finding, Location } from '../findings';
import { adjustPValues, chiSquareIndependence, ks2Sample, mannWhitneyU, shapiroWilk } from '../stats';
import { SPLIT_PROPERTIES, type SplitProperty } from './caseProperties';
import { plural } from '../dataset/findingHelpers';
import { formatP, formatStatistic, percent, type SplitCase } from './splitCases';

/** Shapiro–Wilk's p-value is accurate up to this many values; larger samples are thinned evenly. */
const SHAPIRO_MAX_N = 5000;
/** Fewer values than this on a side and no test is made. */
const MIN_SAMPLE = 3;

export interface PropertyTest {
  property: SplitProperty;
  other: SplitName;
  /** The drift score: KS D for continuous properties, the difference of rates for binary ones. */
  score: number;
  p: number;
  pAdjusted: number;
  test: string;
  statistic: number;
  /** The two samples in words (medians or rates). */
  samples: string;
  /** Each test made with its statistic and p-value, in words. */
  results: string;
  /** Shapiro–Wilk's verdict on each sample (continuous properties). */
  normality: string;
}

/** The property's values per split, in case order. */
function valuesBySplit(cases: readonly SplitCase[], property: SplitProperty): Record<SplitName, number[]> {
  const out: Record<SplitName, number[]> = { train: [], val: [], test: [] };
  for (const c of cases) {
    if (!c.scan) continue;
    const v = property.of(c.scan);
    if (v !== undefined && Number.isFinite(v)) out[c.split].push(v);
  }
  return out;
}

function median(values: readonly number[]): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Every k-th value (in case order), so that a large sample stays within Shapiro–Wilk's range. */
function thinned(values: readonly number[]): number[] {
  if (values.length <= SHAPIRO_MAX_N) return [...values];
  const step = values.length / SHAPIRO_MAX_N;
  return Array.from({ length: SHAPIRO_MAX_N }, (_, i) => values[Math.floor(i * step)]);
}

/** Whether each sample looks normal, in words: the reason a parametric test would (not) do. */
function normalityNote(samples: readonly [SplitName, readonly number[]][], alpha: number): string {
  const verdicts = samples.map(([split, x]) => {
    if (x.length < MIN_SAMPLE || new Set(x).size < 3) return { split, normal: undefined as boolean | undefined, p: NaN };
    const sw = shapiroWilk(thinned(x));
    return { split, normal: sw.p >= alpha, p: sw.p };
  });
  const rejected = verdicts.filter((v) => v.normal === false);
  if (rejected.length > 0) {
    return (
      `Shapiro–Wilk rejects normality in ${rejected.map((v) => `${v.split} (p = ${formatP(v.p)})`).join(' and ')}, ` +
      'so a t-test would not have been valid; the rank-based tests above do not need it.'
    );
  }
  if (verdicts.every((v) => v.normal === true)) {
    return `Shapiro–Wilk does not reject normality in either sample (p = ${verdicts.map((v) => formatP(v.p)).join(', ')}), so a t-test would also have been valid.`;
  }
  return 'Too few distinct values for Shapiro–Wilk.';
}

function continuousTest(
  property: SplitProperty,
  other: SplitName,
  x: readonly number[],
  y: readonly number[],
  alpha: number,
  describe: boolean,
): Omit<PropertyTest, 'pAdjusted'> {
  const ks = ks2Sample(x, y);
  const mw = mannWhitneyU(x, y);
  const [test, statistic, p] = mw.p < ks.p ? [mw.test, mw.statistic, mw.p] : [ks.test, ks.statistic, ks.p];
  return {
    property,
    other,
    score: ks.statistic,
    p,
    test,
    statistic,
    samples: `medians ${formatStatistic(median(x))} (train, n = ${x.length}) vs ${formatStatistic(median(y))} (${other}, n = ${y.length})`,
    results: `${ks.test}: D = ${formatStatistic(ks.statistic)}, p = ${formatP(ks.p)}; ${mw.test}: U = ${formatStatistic(mw.statistic)}, p = ${formatP(mw.p)}`,
    normality: describe
      ? normalityNote(
          [
            ['train', x],
            [other, y],
          ],
          alpha,
        )
      : '',
  };
}

function binaryTest(property: SplitProperty, other: SplitName, x: readonly number[], y: readonly number[]): Omit<PropertyTest, 'pAdjusted'> | undefined {
  const ones = (v: readonly number[]) => v.filter((a) => a === 1).length;
  const table = [
    [ones(x), x.length - ones(x)],
    [ones(y), y.length - ones(y)],
  ];
  // A rate that is 0 or 1 in both samples cannot differ: there is nothing to test.
  if (table[0][0] + table[1][0] === 0 || table[0][1] + table[1][1] === 0) return undefined;
  const chi = chiSquareIndependence(table);
  return {
    property,
    other,
    score: Math.abs(table[0][0] / x.length - table[1][0] / y.length),
    p: chi.p,
    test: chi.test,
    statistic: chi.statistic,
    samples: `${percent(table[0][0], x.length)} (train, n = ${x.length}) vs ${percent(table[1][0], y.length)} (${other}, n = ${y.length})`,
    results: `${chi.test}: χ² = ${formatStatistic(chi.statistic)}, dof = ${chi.df}, p = ${formatP(chi.p)}`,
    normality: '',
  };
}

/**
 * Every property test of train against the other splits, with Holm-adjusted p-values.
 * `describe: false` skips the words (and Shapiro–Wilk), for judging many candidate splits.
 */
export function propertyTests(cases: readonly SplitCase[], alpha: number, options: { describe?: boolean } = {}): PropertyTest[] {
  const others = (['val', 'test'] as const).filter((s) => cases.some((c) => c.split === s));
  const tests: Omit<PropertyTest, 'pAdjusted'>[] = [];
  for (const property of SPLIT_PROPERTIES) {
    const values = valuesBySplit(cases, property);
    const x = values.train;
    if (x.length < MIN_SAMPLE) continue;
    for (const other of others) {
      const y = values[other];
      if (y.length < MIN_SAMPLE) continue;
      const t = property.kind === 'binary' ? binaryTest(property, other, x, y) : continuousTest(property, other, x, y, alpha, options.describe !== false);
      if (t && Number.isFinite(t.p)) tests.push(t);
    }
  }
  const adjusted = adjustPValues(
    tests.map((t) => t.p),
    'holm',
  );
  return tests.map((t, i) => ({ ...t, pAdjusted: adjusted[i] }));
}

export function propertyDriftFindings(cases: readonly SplitCase[], alpha: number, configPath: ConfigPath, location: Location): Finding[] {
  const tests = propertyTests(cases, alpha);
  return tests
    .filter((t) => t.pAdjusted < alpha)
    .map((t) => ({
      code: 'split/property-drift',
      severity: 'warning' as const,
      message:
        `The ${t.property.label} differs between train and ${t.other}: ${t.samples}; drift score ` +
        `(${t.property.kind === 'binary' ? 'rate difference' : 'KS D'}) ${formatStatistic(t.score)}. ${t.results}; ` +
        `${t.property.kind === 'binary' ? 'Holm-adjusted over' : 'the smaller p, Holm-adjusted over'} ${plural(tests.length, 'test')}, ` +
        `${t.property.kind === 'binary' ? 'p =' : 'is'} ${formatP(t.pAdjusted)} < alpha = ${alpha}.` +
        `${t.normality ? ` ${t.normality}` : ''} A model tuned on train meets different images in ${t.other}; re-split ` +
        '(`medseg split` balances image and mask properties too).',
      location,
      configPath,
      evidence: {
        test: t.test,
        statistic: t.statistic,
        p: t.pAdjusted,
        effectSize: t.score,
        effectName: t.property.kind === 'binary' ? 'rate difference' : 'KS D',
      },
    }));
}
