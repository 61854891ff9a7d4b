/**
 * Result shapes of the statistical tests. Every test returns at least `test`, `statistic` and `p`,
 * and the effect-size fields use the same names as `TestEvidence` in findings.ts, so a result can
 * be attached to a finding as it is.
 */

/** How a p-value was obtained: from the exact null distribution, an exhaustive permutation, or a limit law. */
export type PValueMethod = 'exact' | 'permutation' | 'asymptotic';

export interface StatTestResult {
  /** Human name of the test, e.g. 'Shapiro–Wilk'. */
  test: string;
  statistic: number;
  /** Two-sided p-value in [0, 1]. */
  p: number;
  effectSize?: number;
  effectName?: string;
}

export interface ShapiroWilkResult extends StatTestResult {
  test: 'Shapiro–Wilk';
  /** W. */
  statistic: number;
  n: number;
}

export interface PairedTTestResult extends StatTestResult {
  test: 'Paired t-test';
  /** t. */
  statistic: number;
  n: number;
  df: number;
  /** Mean of a − b. */
  meanDifference: number;
  /** Standard deviation of a − b (n − 1 in the denominator). */
  sdDifference: number;
  /** Cohen's d_z: meanDifference / sdDifference. */
  effectSize: number;
  effectName: "Cohen's d_z";
}

export interface WilcoxonSignedRankResult extends StatTestResult {
  test: 'Wilcoxon signed-rank';
  /** min(R+, R−), as scipy reports for the two-sided test. */
  statistic: number;
  method: PValueMethod;
  /** Pairs given. */
  n: number;
  /** Pairs with a non-zero difference (the ones ranked; zero differences are dropped). */
  nonZero: number;
  rankSumPositive: number;
  rankSumNegative: number;
  /** Standardised R+ of the normal approximation; only for method 'asymptotic'. */
  z?: number;
  /** Matched-pairs rank-biserial correlation (R+ − R−) / (R+ + R−); positive when a tends to exceed b. */
  effectSize: number;
  effectName: 'matched-pairs rank-biserial correlation';
}

export interface FriedmanResult extends StatTestResult {
  test: 'Friedman';
  /** Tie-corrected Friedman chi-square. */
  statistic: number;
  df: number;
  /** Methods compared (k). */
  k: number;
  /** Blocks, e.g. images (n). */
  n: number;
  /** Kendall's coefficient of concordance W = statistic / (n (k − 1)), tie-corrected like the statistic. */
  effectSize: number;
  effectName: "Kendall's W";
}

export interface MannWhitneyResult extends StatTestResult {
  test: 'Mann–Whitney U';
  /** U of the first sample (scipy's `statistic`). */
  statistic: number;
  method: PValueMethod;
  n1: number;
  n2: number;
  z?: number;
  /** Rank-biserial correlation 2·U1/(n1·n2) − 1 = P(x > y) − P(x < y); positive when x tends to exceed y. */
  effectSize: number;
  effectName: 'rank-biserial correlation';
}

export interface KolmogorovSmirnovResult extends StatTestResult {
  test: 'Kolmogorov–Smirnov (two-sample)';
  /** D = sup |F1 − F2|. */
  statistic: number;
  method: PValueMethod;
  n1: number;
  n2: number;
}

export interface ChiSquareResult extends StatTestResult {
  test: 'Chi-square independence';
  statistic: number;
  df: number;
  /** Expected counts under independence, same shape as the table. */
  expected: number[][];
  /** Whether Yates' continuity correction was applied (only when df = 1). */
  yates: boolean;
}

export type PValueAdjustment = 'holm' | 'bonferroni' | 'bh' | 'none';
