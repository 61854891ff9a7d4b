/**
 * `explain.json`: what `medseg explain` measured, per method and model a summary, with the
 * per-image rows in `explain/<method>/<model>.csv` (explainRows.ts) and the heatmaps in
 * `heatmaps/<method>/<model>/`. Keys are snake_case like summary.json; an undefined value is null.
 */
import type { PairComparison } from '../compare/pairwise';
import type { MetricSummary } from '../metrics/aggregate';
import type { HeatFractions } from './heatFractions';
import type { CamMethod, GradientSource } from './methods';
import type { CamTarget, ChosenLayer } from './modelExplainer';

/** One explained image: a row of `explain/<method>/<model>.csv`. */
export interface ExplainedImage {
  id: string;
  split: string;
  /** Axial slice shown, for volumes. */
  slice?: number;
  /** Relative to the results folder: `heatmaps/<method>/<model>/<file>.png`. */
  heatmap: string;
  /** Heat of a 255 pixel in the PNG. */
  heat_max: number;
  /** Pixels the target sums over (at the model's output size). */
  target_pixels: number;
  dice: number;
  inside_reference: number | null;
  inside_prediction: number | null;
  /** Share of the heat on type I errors (FP). */
  inside_fp: number | null;
  /** Share of the heat on type II errors (FN). */
  inside_fn: number | null;
  /** Where a gradient method's gradient came from. */
  gradient?: GradientSource;
  epsilon?: number;
  relative_step?: number;
  explained_variance?: number;
  /** Wall time of the image (its share of a batched run). */
  seconds: number;
}

/** The per-image values summarised (mean, median, SD, bootstrap CI of the mean). */
export const EXPLAIN_MEASURES = ['dice', 'inside_reference', 'inside_prediction', 'inside_fp', 'inside_fn'] as const;
export type ExplainMeasure = (typeof EXPLAIN_MEASURES)[number];

export interface ExplainedModel {
  family: string;
  layer: ChosenLayer;
  provider: string;
  /** `exact` (the gradient graph), `differences` (finite differences, see `gradient_note`), `none` (gradient-free methods). */
  gradient: GradientSource | 'none';
  /** Why exact gradients were not used, when they were not. */
  gradient_note?: string;
  /** Images with a row (this run's and earlier runs' of the same configuration). */
  images: number;
  /** Rows reused from an interrupted or earlier run of the same configuration. */
  resumed: number;
  rows: string;
  heatmaps: string;
  summary: Record<ExplainMeasure, MetricSummary>;
  seconds_per_image: number | null;
}

/** The seed's "target and non-target pixels" analysis: families compared on the same images. */
export interface FamilyComparison extends PairComparison<ExplainMeasure> {
  /** Mean of the measure per family (each image: the mean over the family's models). */
  mean_a: number;
  mean_b: number;
}

export interface ExplainReport {
  experiment: string;
  time: string;
  engine_version: string;
  config: string;
  split: string;
  method: CamMethod;
  target: CamTarget;
  image_rule: string;
  layer_rule: string;
  /** Relative steps the finite-difference fallback chooses from (per image: `relative_step`). */
  step_ladder?: number[];
  models: Record<string, ExplainedModel>;
  /** Paired comparisons of the models on the heat inside the reference, on the images all have (Holm). */
  comparisons: PairComparison<ExplainMeasure>[];
  /** Families (TII, LMI, …) compared pairwise on the heat inside the reference and on type I/II pixels. */
  families: FamilyComparison[];
  failures: { image_id?: string; model: string; code: string; message: string }[];
  /** Set when the run explained one shard of the split (`--shard I/N`; index 0-based), for `medseg merge`. */
  shard?: { index: number; count: number };
}

export function fractionsRecord(f: HeatFractions): Pick<ExplainedImage, 'inside_reference' | 'inside_prediction' | 'inside_fp' | 'inside_fn'> {
  return {
    inside_reference: f.insideReference ?? null,
    inside_prediction: f.insidePrediction ?? null,
    inside_fp: f.insideFalsePositives ?? null,
    inside_fn: f.insideFalseNegatives ?? null,
  };
}

export function formatExplainJson(report: ExplainReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
