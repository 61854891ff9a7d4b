/**
 * The typed experiment config, after parsing, validation and defaults. Plain file and folder
 * paths are absolute (resolved against the config file's folder). Globs and templates
 * (`images`, `masks`, `predictions`) stay as written, relative to `dir`: placeholders
 * (`{stem}`, `{name}`, `{dir}`, `{parent}`) are substituted first, then the result is resolved against `dir`
 * (an absolute `{dir}` substitution wins). Field names are camelCase; YAML keys are snake_case.
 */
import type { ForegroundRule } from '../io/types';

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/**
 * Every per-image metric, in per_image.csv's column order (RESULTS.md): the seven that are always
 * columns, then the further ones, which are columns only when `evaluation.metrics` selects them.
 */
export const METRIC_NAMES = [
  'dice',
  'iou',
  'sensitivity',
  'specificity',
  'precision',
  'auroc',
  'hd95',
  'nsd',
  'hd',
  'assd',
  'masd',
  'boundary_iou',
  'cldice',
  'mcc',
  'npv',
  'kappa',
  'fbeta',
  'volume_similarity',
  'rvd',
  'avd',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
/** The default selection, and the columns per_image.csv always has. */
export const DEFAULT_METRICS = ['dice', 'iou', 'sensitivity', 'specificity', 'precision', 'auroc', 'hd95'] as const satisfies readonly MetricName[];

/** Parameters of the further metrics (`evaluation.nsd_tolerance`, `boundary_width`, `fbeta_beta`). */
export interface MetricSettings {
  /** NSD tolerance τ, in mm when the spacing is known, else pixels. */
  nsdTolerance: number;
  /** Boundary IoU band width in pixels; `auto` = 2 % of the image diagonal, at least 1. */
  boundaryWidth: number | 'auto';
  fbetaBeta: number;
}

export const FUSION_NAMES = ['union', 'intersection', 'majority', 'staple', 'best'] as const;
export type FusionName = (typeof FUSION_NAMES)[number];

export type Normalization =
  | { kind: 'imagenet' }
  | { kind: 'unit' }
  | { kind: 'zscore' }
  | { kind: 'explicit'; mean: number[]; std: number[] };

export interface DatasetConfig {
  /** Glob of images as written (relative to the config's dir), or undefined when `msd` is used. */
  images?: string;
  /** Mask template (`{stem}`, `{name}`, `{dir}`, `{parent}`) or glob, as written (relative to the config's dir). */
  masks?: string;
  /** Medical Segmentation Decathlon / nnU-Net raw folder holding dataset.json. */
  msd?: string;
  labels?: string;
  idColumn: string;
  groupColumn?: string;
  labelColumns: string[];
  foreground: ForegroundRule;
  volumes: '3d' | 'axial';
  /** `dataset.regions`: label-map regions, each evaluated as its own binary task (config order). */
  regions?: RegionConfig[];
  /** With `regions`: `other_labels`, labels of structures in no region. */
  otherLabels?: number[];
}

/** One region of `dataset.regions`: the label values it covers (KiTS kidney: [1, 2], tumour: [2]). */
export interface RegionConfig {
  name: string;
  labels: number[];
  /** NSD tolerance τ of this region; absent: `evaluation.nsd_tolerance`. */
  nsdTolerance?: number;
}

/**
 * How a model that predicts every region gives one region's prediction (set by the evaluation's
 * region view, evaluate/regionView.ts, never by the config): all channels of the output are kept
 * (`output.planes: 'all'`, one cached entry for every region), then
 * - softmax: probability = sum of the channels whose label is in the region, mask = the argmax
 *   channel's label is in the region;
 * - sigmoid: the region's own channel, thresholded.
 */
export type RegionMapping =
  | { kind: 'softmax'; /** Label of each channel; absent: channel c is label c. */ channelLabels?: number[]; labels: number[] }
  | { kind: 'sigmoid'; channel: number };

export interface GenerateSplitsConfig {
  ratios: Record<SplitName, number>;
  stratify: string[];
  seed: number;
  tries: number;
}

export interface SplitsConfig {
  file?: string;
  generate?: GenerateSplitsConfig;
  alpha: number;
  minPerLabel: number;
  targetCiHalfwidth: number;
  /** Perceptual-hash Hamming distance at or below which two images count as near-duplicates. */
  duplicateDistance: number;
}

export interface ModelInputConfig {
  /** [H, W] the model expects; undefined = read from the graph. */
  size?: [number, number];
  layout: 'NCHW' | 'NHWC';
  channels: 1 | 3;
  normalize: Normalization;
}

export interface ModelOutputConfig {
  /** Graph output that is the segmentation; undefined = the only one, or the one at the input's H×W. */
  name?: string;
  activation: 'sigmoid' | 'softmax' | 'none';
  channel: number;
  threshold: number;
  /** `output.labels`: the label value of each softmax channel (absent: channel c is label c). */
  labels?: number[];
  /** `output.region_channels`: each region's sigmoid channel. */
  regionChannels?: Record<string, number>;
  /** Every channel after the activation, instead of the foreground channel (region evaluation only). */
  planes?: 'all';
}

export interface ModelConfig {
  name: string;
  /** ONNX file (absolute), for models run by the engine. */
  path?: string;
  /** Template of existing predictions as written (relative to the config's dir), for models run elsewhere. */
  predictions?: string;
  /** What a prediction file's values mean (evaluate/predictionValues.ts); the typed config always sets it, models built in code may leave it (`auto`). */
  predictionValues?: 'auto' | 'probabilities' | 'labels';
  /** `region`: with `dataset.regions`, the one region this model predicts. */
  region?: string;
  /** In a region view: how this region comes out of a model that predicts every region. */
  regionMapping?: RegionMapping;
  /** In a region view: the rule that binarises this model's prediction files (absent: the references'). */
  predictionRule?: ForegroundRule;
  family: string;
  input: ModelInputConfig;
  output: ModelOutputConfig;
  trainSize?: number;
  /** Index in `models:`, for locating findings. */
  index: number;
}

export interface EvaluationConfig {
  split: SplitName | 'all';
  metrics: MetricName[];
  fusion: FusionName[];
  /** Restrict fusion to these model names (default: every model). */
  fuseModels?: string[];
  correctDice: number;
  /** Dice a learning curve is asked to reach (training-set size prediction). */
  targetDice: number;
  primaryMetric: MetricName;
  /** Parameters of the further metrics; absent (configs built in code): DEFAULT_METRIC_SETTINGS. */
  metricSettings?: MetricSettings;
  compare: { alpha: number; correction: 'holm' | 'bonferroni' | 'bh' | 'none' };
  bootstrap: number;
  seed: number;
}

export interface ExplainConfig {
  gradcam: {
    layer: string;
    /** Images per model, or every image of the split. */
    images: number | 'all';
    method: 'gradcam' | 'gradcam++' | 'xgradcam' | 'hirescam' | 'layercam' | 'scorecam' | 'eigencam' | 'saliency' | 'smoothgrad' | 'integrated-gradients';
    gradients: 'auto' | 'exact' | 'differences';
    target: 'prediction' | 'reference';
  };
  saliency: { samples: number; noise: number; steps: number; seed: number };
  umap: { features: string; neighbors: number; minDist: number; colorBy: string; maxPoints: number; neighborSearch: 'auto' | 'exact' | 'approximate'; seed: number };
}

export interface StressConfig {
  perturbations: string[];
  labelMixes: Record<string, string>[];
  repeats: number;
  dropThreshold: number;
  seed: number;
}

export interface RuntimeConfig {
  provider: 'auto' | 'cuda' | 'webgpu' | 'cpu';
  batch: number;
  threads: number;
  /** Case worker threads of an evaluation: 0 = auto (absent: 0), `main` = the evaluation's own thread. */
  workers?: number | 'main';
  /** Case workers' scheduling priority: `auto` (absent: auto) = low while a model runs on CPU. */
  workerPriority?: 'auto' | 'low' | 'normal';
  /** Images of consecutive cases per inference run: `auto` (absent: auto) = 1 on CPU, sized by memory on a GPU. */
  caseBatch?: number | 'auto';
  cache: string;
}

export interface MedsegConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Folder of the config file; relative paths resolve against it. */
  dir: string;
  name: string;
  dataset: DatasetConfig;
  splits?: SplitsConfig;
  models: ModelConfig[];
  evaluation: EvaluationConfig;
  explain: ExplainConfig;
  stress: StressConfig;
  runtime: RuntimeConfig;
  /** Absolute output root; results go under `<output>/<name>/`. */
  output: string;
  /** SHA-256 of the config text this was parsed from (absent for configs built in code). */
  sourceSha256?: string;
}
