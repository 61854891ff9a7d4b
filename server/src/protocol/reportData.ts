/**
 * The data a results view draws: the same object feeds report.html (embedded as JSON) and the
 * dashboard webview (posted as a message). Plain data, built by the engine's report module.
 */

import type { ExplainSectionData, MetricSummaryData, StressSectionData } from './index';

/**
 * Metrics measured in pixels, mm or mL (RESULTS.md): tables show them with 2 decimals, the
 * others (ratios in [-1, 1] or [0, 1]) with 3.
 */
export const MEASURE_METRICS: readonly string[] = ['hd95', 'hd', 'assd', 'masd', 'avd'];

/** Decimals a table shows for a metric's values. */
export function metricDigits(metric: string): number {
  return MEASURE_METRICS.includes(metric) ? 2 : 3;
}

/** One metric's summary over the images (the protocol's shape; the report and the dashboard share it). */
export type SummaryStat = MetricSummaryData;

/** The "Stress tests" section (the protocol's shape: the dashboard also gets it from `medseg/results`). */
export type ReportStress = StressSectionData;

/** The "Explanations" section (the protocol's shape: the dashboard also gets it from `medseg/results`). */
export type ReportExplain = ExplainSectionData;

export interface ReportMethod {
  name: string;
  kind: 'model' | 'fusion';
  family?: string;
  n: number;
  metrics: Record<string, SummaryStat>;
  pooled: Record<string, number | undefined>;
  /** Pooled ROC curve over every pixel (models only). */
  roc?: { fpr: number[]; tpr: number[] };
  /** `fusion:best` is an upper bound that needs the reference: never a deployable model. */
  upperBound?: boolean;
}

export interface ReportComparison {
  a: string;
  b: string;
  metric: string;
  test: string;
  statistic: number;
  p: number;
  pAdjusted: number;
  effectSize?: number;
  effectName?: string;
  /** The test the data chose (normality of the differences), when both were run. */
  chosen?: boolean;
}

export interface ReportGalleryItem {
  imageId: string;
  method: string;
  dice?: number;
  /** Overlay (image + reference outline + prediction error colours) as a data: URI. */
  png: string;
}

export interface ReportCurve {
  name: string;
  x: number[];
  y: number[];
  lo?: number[];
  hi?: number[];
  xLabel: string;
  yLabel: string;
  /** A horizontal target line (e.g. the wanted CI half-width). */
  target?: number;
  note?: string;
}

export interface ReportSkippedModel {
  name: string;
  code: string;
  reason: string;
}

export interface ReportFailure {
  imageId: string;
  method?: string;
  code: string;
  message: string;
}

export interface ReportData {
  experiment: string;
  split: string;
  images: number;
  time: string;
  engineVersion: string;
  provider?: string;
  primaryMetric: string;
  metrics: string[];
  methods: ReportMethod[];
  /** Per-image values of the primary metric, for box plots: method → values. */
  perImage: { imageId: string; method: string; value?: number }[];
  comparisons: ReportComparison[];
  /** Mean primary-metric gain of each fusion over the best single model. */
  fusionGains: { fusion: string; gain: number; fixedPixels?: number; brokenPixels?: number }[];
  curves: ReportCurve[];
  selection?: { bestMethod?: string; significant?: Record<string, boolean>; note?: string; correctImages?: Record<string, number>; hardCases?: string[] };
  gallery: { best: ReportGalleryItem[]; worst: ReportGalleryItem[] };
  splits: { code: string; severity: string; message: string }[];
  /** Models of the config the run did not evaluate, and why (summary.json `skipped_models`). */
  skippedModels?: ReportSkippedModel[];
  /** Image × method results that failed (summary.json `failures`), the first 100; `failureCount` is the total. */
  failures?: ReportFailure[];
  failureCount?: number;
  provenance: { label: string; value: string }[];
  /** From stress.json in the results folder, when `medseg stress` has run there. */
  stress?: ReportStress;
  /** From the explain.json files in the results folder, when `medseg explain` has run there. */
  explain?: ReportExplain;
}
