/**
 * What the per-image rows say once every method has run: paired comparisons with the test the
 * data choose, Friedman across models, the selection of the best method and of the images
 * segmented well, and the least number of images (test-set size, learning curves). Pure: the
 * per-image table in, summary sections out — so `medseg compare` can redo it from a stored
 * per_image.csv. Every statistic reads the table's columns in place (no per-image maps).
 */
import type { MetricName } from '../config/types';
import type { PerImageTable } from '../results/perImageTable';
import type { PValueAdjustment } from '../stats';
import { learningCurves, type LearningCurve } from './learningCurve';
import { testSetSizeCurve, type TestSetSizeCurve } from './leastImages';
import { compareAllPairs, friedmanAcross, type FriedmanOutcome, type MetricValues, type PairComparison } from './pairwise';
import { selectBest, type Selection } from './selection';

export * from './pairwise';
export * from './selection';
export * from './leastImages';
export * from './learningCurve';

export interface AnalysisOptions {
  metrics: readonly MetricName[];
  primaryMetric: MetricName;
  alpha: number;
  correction: PValueAdjustment;
  correctDice: number;
  targetHalfWidth: number;
  targetDice: number;
  bootstrap: number;
  seed: number;
  labelsOf: (imageId: string) => Record<string, string>;
  labelColumns: readonly string[];
}

export interface MethodInfo {
  name: string;
  kind: 'model' | 'fusion';
  family?: string;
  trainSize?: number;
}

export interface ResultsAnalysis {
  comparisons: PairComparison[];
  friedman: FriedmanOutcome[];
  selection: Selection;
  least_images: { test_set: TestSetSizeCurve | undefined; learning_curves: LearningCurve[] };
}

export const UPPER_BOUND_METHOD = 'fusion:best';

/** One metric of every method of `table`, read in place. */
export function metricValues(table: PerImageTable, metric: MetricName): MetricValues {
  return { ids: table.imageIds, of: (method) => table.column(method, metric), rows: (method) => table.presence(method) };
}

export function analyzeResults(table: PerImageTable, methods: readonly MethodInfo[], options: AnalysisOptions): ResultsAnalysis {
  // `fusion:best` chooses per image with the reference: it is shown, never compared or selected.
  const candidates = methods.map((m) => m.name).filter((m) => m !== UPPER_BOUND_METHOD);
  const valuesOf = (metric: MetricName) => metricValues(table, metric);
  const comparisons = compareAllPairs(candidates, options.metrics, valuesOf, options.alpha, options.correction);
  const models = methods.filter((m) => m.kind === 'model').map((m) => m.name);
  const friedman = options.metrics.flatMap((metric) => friedmanAcross(models, metric, valuesOf(metric)) ?? []);
  const selection = selectBest(candidates, options.primaryMetric, valuesOf(options.primaryMetric), comparisons, options.alpha, valuesOf('dice'), options.correctDice, options.labelsOf, options.labelColumns);
  const best = selection.best_method;
  const bestDice = best ? Array.from(table.column(best, 'dice')).filter((x) => !Number.isNaN(x)) : [];
  const testSet = best ? testSetSizeCurve(best, bestDice, options.targetHalfWidth, options) : undefined;
  const withSize = methods.filter((m) => m.kind === 'model' && m.trainSize !== undefined);
  const curves = learningCurves(
    withSize.map((m) => ({ model: m.name, family: m.family ?? 'other', trainSize: m.trainSize!, dice: table.column(m.name, 'dice') })),
    options.targetDice,
    options,
  );
  return { comparisons, friedman, selection, least_images: { test_set: testSet, learning_curves: curves } };
}
