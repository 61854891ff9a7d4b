/**
 * Statistical tests for comparing methods and checking splits. Pure functions over number arrays;
 * each mirrors a scipy.stats function with its defaults (named in its comment) and agrees with it
 * to 1e-6 on the fixtures in test/fixtures/stats. Results carry `test`, `statistic`, `p` and, where
 * meaningful, `effectSize`/`effectName` (the TestEvidence fields of findings.ts).
 * Malformed arguments (length mismatch, NaN, too few values) throw RangeError: they are caller bugs.
 */
export { shapiroWilk } from './shapiroWilk';
export { pairedTTest } from './pairedTTest';
export { wilcoxonSignedRank } from './wilcoxon';
export { mannWhitneyU, mannWhitneyExactCdf } from './mannWhitney';
export { ks2Sample } from './kolmogorovSmirnov';
export { kolmogorovSf, smirnovSf } from './kolmogorovDistribution';
export { friedman } from './friedman';
export { chiSquareIndependence, cramersV } from './contingency';
export type { CramersVOptions } from './contingency';
export { adjustPValues } from './adjust';
export { rank, rankWithTies, tieCubeSum } from './rank';
export type { RankedSample } from './rank';
export { normalSf, normalCdf, tSf, tCdf, chiSquareSf, tQuantile } from './distributions';
export { ciHalfWidthForN, requiredSampleSize } from './sampleSize';
export type {
  StatTestResult,
  PValueMethod,
  PValueAdjustment,
  ShapiroWilkResult,
  PairedTTestResult,
  WilcoxonSignedRankResult,
  FriedmanResult,
  MannWhitneyResult,
  KolmogorovSmirnovResult,
  ChiSquareResult,
} from './types';
