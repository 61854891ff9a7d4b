/**
 * `explain.json`: what `medseg explain` measured, one entry per model and image. Keys are
 * snake_case like summary.json; an undefined value is null.
 */
import type { HeatFractions } from './heatFractions';
import type { CamMethod, CamTarget, ChosenLayer } from './modelExplainer';

export interface ExplainedImage {
  id: string;
  split: string;
  /** Axial slice shown, for volumes. */
  slice?: number;
  /** Relative to the results folder: `heatmaps/<model>/<id>.png`. */
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
  epsilon?: number;
  relative_step?: number;
  explained_variance?: number;
  seconds: number;
}

export interface ExplainedModel {
  layer: ChosenLayer;
  provider: string;
  images: ExplainedImage[];
  /** Means over the images where each value is defined. */
  mean: { dice: number | null; inside_reference: number | null; inside_prediction: number | null; inside_fp: number | null; inside_fn: number | null };
  seconds_per_image: number | null;
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
  failures: { image_id?: string; model: string; code: string; message: string }[];
}

export function fractionsRecord(f: HeatFractions): Pick<ExplainedImage, 'inside_reference' | 'inside_prediction' | 'inside_fp' | 'inside_fn'> {
  return {
    inside_reference: f.insideReference ?? null,
    inside_prediction: f.insidePrediction ?? null,
    inside_fp: f.insideFalsePositives ?? null,
    inside_fn: f.insideFalseNegatives ?? null,
  };
}

function meanOf(values: (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
}

export function meanFractions(images: readonly ExplainedImage[]): ExplainedModel['mean'] {
  return {
    dice: meanOf(images.map((i) => i.dice)),
    inside_reference: meanOf(images.map((i) => i.inside_reference)),
    inside_prediction: meanOf(images.map((i) => i.inside_prediction)),
    inside_fp: meanOf(images.map((i) => i.inside_fp)),
    inside_fn: meanOf(images.map((i) => i.inside_fn)),
  };
}

export function formatExplainJson(report: ExplainReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
