/**
 * What the per-image rows say once every method has run: paired comparisons with the test the
 * data choose, Friedman across models, the selection of the best method and of the images
 * segmented well, and the least number of images (test-set size, learning curves). Pure: rows in,
 * summary sections out — so `medseg compare` can redo it from a stored per_image.csv.
 */
import type { MetricName } from '../config/types';
import type { PerImageRow } from '../results/perImage';
import type { PValueAdjustment } from '../stats';
import { learningCurves, type LearningCurve } from './learningCurve';
import { testSetSizeCurve, type TestSetSizeCurve } from './leastImages';
import { compareAllPairs, friedmanAcross, type FriedmanOutcome, type PairComparison, type ValuesByMethod } from './pairwise';
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

export function valuesByMethod(rows: readonly PerImageRow[], metric: MetricName): ValuesByMethod {
  const out = new Map<string, Map<string, number | undefined>>();
  for (const r of rows) {
    let m = out.get(r.method);
    if (!m) out.set(r.method, (m = new Map()));
    m.set(r.imageId, r.metrics[metric]);
  }
  return out;
}

export function analyzeResults(rows: readonly PerImageRow[], methods: readonly MethodInfo[], options: AnalysisOptions): ResultsAnalysis {
  // `fusion:best` chooses per image with the reference: it is shown, never compared or selected.
  const candidates = methods.map((m) => m.name).filter((m) => m !== UPPER_BOUND_METHOD);
  const cache = new Map<MetricName, ValuesByMethod>();
  const valuesOf = (metric: MetricName) => {
    let v = cache.get(metric);
    if (!v) cache.set(metric, (v = valuesByMethod(rows, metric)));
    for (const m of candidates) if (!v.has(m)) (v as Map<string, Map<string, number | undefined>>).set(m, new Map());
    return v;
  };
  const comparisons = compareAllPairs(candidates, options.metrics, valuesOf, options.alpha, options.correction);
  const models = methods.filter((m) => m.kind === 'model').map((m) => m.name);
  const friedman = options.metrics.flatMap((metric) => friedmanAcross(models, metric, valuesOf(metric)) ?? []);
  const selection = selectBest(candidates, options.primaryMetric, valuesOf(options.primaryMetric), comparisons, options.alpha, valuesOf('dice'), options.correctDice, options.labelsOf, options.labelColumns);
  const best = selection.best_method;
  const bestDice = best ? [...valuesOf('dice').get(best)!.values()].filter((x): x is number => x !== undefined) : [];
  const testSet = best ? testSetSizeCurve(best, bestDice, options.targetHalfWidth, options) : undefined;
  const withSize = methods.filter((m) => m.kind === 'model' && m.trainSize !== undefined);
  const curves = learningCurves(
    withSize.map((m) => ({ model: m.name, family: m.family ?? 'other', trainSize: m.trainSize!, dice: valuesOf('dice').get(m.name) ?? new Map() })),
    options.targetDice,
    options,
  );
  return { comparisons, friedman, selection, least_images: { test_set: testSet, learning_curves: curves } };
}
