/**
 * The report sections the engine shapes for report.html and the dashboard alike: the stress tests
 * (from stress.json) and the explanations (from explain/<method>/explain.json). Plain data, like
 * the rest of server/src/protocol.
 */
import type { MetricSummaryData } from './index';

/**
 * The "Stress tests" section of report.html and the dashboard, shaped by the engine from
 * stress.json (server/src/core/stress/reportCurves.ts). Plain JSON: an undefined value inside an
 * array is `null`.
 */
export interface StressSectionData {
  experiment: string;
  split: string;
  time: string;
  seed: number;
  repeats: number;
  /** A method counts as broken once its mean Dice has fallen this far below its unperturbed value. */
  dropThreshold: number;
  /** `fusion:best`: reported, never ranked (it needs the reference). */
  upperBound?: string;
  /** One table per stressed label column. */
  labelMixes: StressMixColumnData[];
  /** Images the perturbations ran on (absent without perturbations). */
  perturbationImages?: number;
  perturbations: StressPerturbationData[];
  /** stress.json's notes, then any mismatch with the evaluation the report shows. */
  notes: string[];
  /** stress.json is there but cannot be read: what is wrong and the fix (the rest is then empty). */
  problem?: string;
}

export interface StressMixColumnData {
  column: string;
  /** The split as it is first, then every scenario on this column in stress.json's order. */
  scenarios: StressScenarioData[];
}

export interface StressScenarioData {
  /** `test split` (as it is), `zipf`, `dominant:<value>`, `rare_oversampled`, `removed:<value>`. */
  name: string;
  baseline: boolean;
  /** Shares and sample size, e.g. `common 50%, rare 50% · 10 images × 5 repeats`. */
  detail: string;
  /** Some pair of methods is in the reverse order of the split as it is. */
  rankingChanged: boolean;
  /** Share of repeats whose own ranking reverses a pair of the split's (scenarios only). */
  changedInRepeats?: number;
  /** The reversed pairs as text, pairs of two models first: `B now ahead of A`. */
  swaps: string[];
  note?: string;
  /** In stress.json's method order (models, then fusions). */
  methods: StressMixMethodData[];
}

export interface StressMixMethodData {
  method: string;
  dice?: number;
  ci95?: [number, number];
  /** 1-based rank by mean Dice; absent for the upper bound and for a method without a value. */
  rank?: number;
  /** Its rank on the split as it is. */
  splitRank?: number;
  /** In a pair whose order is reversed against the split as it is. */
  rankChanged: boolean;
  /** Type I: FP/(FP+TN) pooled over pixels; images with an empty reference and any predicted pixel. */
  fpPixelRate?: number;
  emptyRefFpRate?: number;
  /** Type II: FN/(FN+TP) pooled over pixels; images with a lesion and Dice 0. */
  fnPixelRate?: number;
  missedRate?: number;
}

export interface StressPerturbationData {
  kind: string;
  /** What the strength axis measures. */
  unit: string;
  /** false for flips: variants without a strength order (the x axis is categorical). */
  graded: boolean;
  /** Level 0 is the unperturbed image. */
  levels: { strength: number; label: string }[];
  curves: StressCurveData[];
  /** The ranking at level 0 and what becomes of it, e.g. `unchanged at every strength: a > b`. */
  ranking: string;
  /** Label of the first level whose ranking reverses a pair of level 0's; absent when none does. */
  rankingChangesAt?: string;
}

export interface StressCurveData {
  method: string;
  upperBound: boolean;
  /** Per level: mean Dice over the images and its 95 % bootstrap interval (null: undefined). */
  dice: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
  /** Images with a defined Dice per level. */
  n: number[];
  /** Level-0 Dice minus the drop threshold: below it the method counts as broken. */
  target?: number;
  /** Where mean Dice reaches `target`: interpolated on graded axes, the breaking variant on flips. */
  drop?: { strength: number; label: string; interpolated: boolean };
}

/**
 * The "Explanations" section of report.html and the dashboard, shaped by the engine from the
 * explain.json of each method run on the results folder and the per-image rows
 * (server/src/core/report/explainSection.ts). Plain JSON.
 */
export interface ExplainSectionData {
  experiment: string;
  /** One per explanation method with results in the folder, in the engine's method order. */
  methods: ExplainMethodSectionData[];
  /** Thumbnails per model and method in each of the two galleries (most and least heat inside the reference). */
  galleryPerList: number;
  /** Section-wide notes (fewer thumbnails to keep the page small, …). */
  notes: string[];
  /** explain.json files that are there but cannot be read: what is wrong and the fix, one each. */
  problems: string[];
}

export interface ExplainMethodSectionData {
  /** `gradcam`, `scorecam`, … (CLI `--method`). */
  method: string;
  /** `Grad-CAM`, `Score-CAM`, … */
  label: string;
  time: string;
  split: string;
  /** What the gradient or score is of: the predicted mask or the reference. */
  target: string;
  imageRule: string;
  layerRule: string;
  /** The maps come from gradients with respect to the input image, not a layer. */
  inputGradient: boolean;
  models: ExplainModelSectionData[];
  /** Families (TII vs LMI, …) compared, one sentence per family pair and measure. */
  families: ExplainComparisonData[];
  /** Model pairs compared on the heat inside the reference, smallest adjusted p first (at most EXPLAIN_PAIRS_SHOWN). */
  comparisons: ExplainComparisonData[];
  /** Model pairs compared in explain.json (the list above may be shorter). */
  comparisonCount: number;
  /** Images or models that could not be explained: the first few as text, and how many in all. */
  failures: string[];
  failureCount: number;
  /** Where this run differs from the evaluation the report shows (split, models, model files), and what to run. */
  notes: string[];
}

export interface ExplainModelSectionData {
  model: string;
  family: string;
  /** The layer's tensor name, or `input image` for input-gradient methods. */
  layer: string;
  /** Its operator and size, `Relu · 512×8×8`. */
  layerShape?: string;
  /** `auto` when the layer rule chose it, `config` when explain.gradcam.layer named it. */
  layerChoice?: 'auto' | 'config';
  /** `exact` (the gradient graph), `differences` (finite differences), `none` (a gradient-free method). */
  gradient: 'exact' | 'differences' | 'none';
  /** Why the gradients are not exact, when they are not. */
  gradientNote?: string;
  images: number;
  /** Rows reused from an interrupted or earlier run of the same settings. */
  resumed: number;
  secondsPerImage?: number;
  dice: MetricSummaryData;
  /** Shares of the heat inside the reference, inside the prediction, on type I (FP) and on type II (FN) pixels. */
  insideReference: MetricSummaryData;
  insidePrediction: MetricSummaryData;
  insideFp: MetricSummaryData;
  insideFn: MetricSummaryData;
  /** The images with the most heat inside the reference, most first. */
  most: ExplainThumbnailData[];
  /** The images with the least heat inside the reference, least first. */
  least: ExplainThumbnailData[];
  /** Why the galleries are shorter than `galleryPerList` (rows missing, images not found, …). */
  galleryNote?: string;
}

export interface ExplainThumbnailData {
  imageId: string;
  model: string;
  /** Axial slice shown, for volumes. */
  slice?: number;
  /** The image with the heatmap over it and the reference outlined, as a data: URI. */
  src: string;
  dice: number;
  insideReference?: number;
  insideFp?: number;
  insideFn?: number;
}

export interface ExplainComparisonData {
  a: string;
  b: string;
  /** `inside_reference`, `inside_fp` or `inside_fn`. */
  measure: string;
  n: number;
  /** Family comparisons: each family's mean (per image the mean over its models). */
  meanA?: number;
  meanB?: number;
  meanDifference: number;
  test: string;
  statistic: number;
  p: number;
  /** Holm-adjusted over the pairs of the same measure. */
  pAdjusted: number;
  effectSize?: number;
  effectName?: string;
  /** The whole comparison as one sentence. */
  sentence: string;
}
