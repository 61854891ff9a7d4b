/**
 * The neutral module the client and the server both import (with reportData.ts, the view model,
 * and sections.ts, the report sections the engine shapes for report.html and the dashboard):
 * custom LSP requests and their types. Plain data only: no vscode, no Node, no engine code and no import from outside
 * this folder (test/lint/layers.test.ts), so either side can change its internals freely and the
 * engine (server/src/core) depends on none of its callers.
 */

import type { ExplainSectionData, StressSectionData } from './sections';

export type SplitChoice = 'train' | 'val' | 'test' | 'all';
export type ProviderChoice = 'auto' | 'cpu' | 'cuda' | 'webgpu';

/** A finding as the client sees it (the server also publishes them as diagnostics). */
export interface FindingData {
  code: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  file?: string;
  line?: number;
}

export interface MetricSummaryData {
  n: number;
  excluded: number;
  mean?: number;
  median?: number;
  std?: number;
  ci95?: [number, number];
}

// ── medseg/validate ───────────────────────────────────────────────────────────────────────
export const ValidateRequestMethod = 'medseg/validate';
export interface ValidateParams {
  /** URI of a `*.medseg.yaml` document. */
  uri: string;
  /** Also decode every image (slower, cached). Default true. */
  images?: boolean;
}
export interface ValidateResult {
  cases: number;
  /** Cases per split (`none` for cases without a split). */
  splits: Record<string, number>;
  counts: { error: number; warning: number; info: number; hint: number };
  findings: FindingData[];
}

// ── medseg/evaluate (supports work-done progress and cancellation) ──────────────────────
export const EvaluateRequestMethod = 'medseg/evaluate';
export interface EvaluateParams {
  uri: string;
  split?: SplitChoice;
  provider?: ProviderChoice;
}
export type EvaluatedMethods = Record<string, { kind: 'model' | 'fusion'; n: number; metrics: Record<string, MetricSummaryData> }>;
export interface EvaluateResult {
  /** Absolute folder of the results (per_image.csv, summary.json, …). */
  outputDir: string;
  provider?: string;
  images: number;
  /** Mean of each metric per method (models then fusions); for a region evaluation, its first region's. */
  methods: EvaluatedMethods;
  /** A region evaluation (`dataset.regions`): each region's methods, in config order. */
  regions?: { name: string; methods: EvaluatedMethods }[];
  findings: FindingData[];
  /**
   * How the run ended (the CLI's exit status 0 / 3 / 4): everything evaluated; results for part
   * (some image or model failed or was skipped); nothing evaluated.
   */
  outcome: 'complete' | 'with-errors' | 'nothing';
  /** Models of the config that were not evaluated at all, and why (summary.json `skipped_models`). */
  skippedModels: { name: string; code: string; reason: string }[];
}

// ── medseg/results ────────────────────────────────────────────────────────────────────────
export const ResultsRequestMethod = 'medseg/results';
export interface ResultsParams {
  uri: string;
}
export interface PerImageRowData {
  imageId: string;
  split: string;
  method: string;
  metrics: Record<string, number | undefined>;
  source?: string;
}
export interface ResultsData {
  outputDir: string;
  /** summary.json as written by the engine (shape: RESULTS.md). */
  summary: Record<string, unknown>;
  rows: PerImageRowData[];
  /** The report's stress section, shaped from the folder's stress.json; absent when there is none. */
  stress?: StressSectionData;
  /** The report's explanations section, shaped from the folder's explain.json files; absent when there is none. */
  explain?: ExplainSectionData;
}
/** `null` when the config has not been evaluated yet. */
export type ResultsResult = ResultsData | null;

// ── medseg/images: the cases of a config, for stepping through them in the preview ───────
export const ImagesRequestMethod = 'medseg/images';
export interface ImagesParams {
  uri: string;
  split?: SplitChoice;
}
export interface ImageEntryData {
  id: string;
  split?: string;
  /** Absolute image path. */
  image: string;
  depth: number;
  /** Dice per method of the last evaluation, when there is one. */
  dice?: Record<string, number | undefined>;
}
export interface ImagesResult {
  images: ImageEntryData[];
  methods: string[];
  /** The split of the last evaluation (`summary.json` `split`: `test`, `all`, …); absent before one. */
  evaluatedSplit?: string;
  /** The model with the best mean Dice: its per-image Dice orders images worst first. */
  rankedBy?: string;
}

// ── medseg/previewData: everything the preview draws for one image ────────────────────────
export const PreviewDataRequestMethod = 'medseg/previewData';
export interface PreviewDataParams {
  uri: string;
  /** An image id, or an absolute image path (the preview opened on a file). */
  image: string;
  /** Axial slice for volumes; default the middle slice. */
  slice?: number;
  /** CT-style window of a scalar image: [centre, width] in stored units; default: 8-bit as stored, else the image's percentiles. Ignored for colour images. */
  window?: [number, number];
}
export type PreviewLayerKind = 'image' | 'reference' | 'prediction' | 'fusion' | 'errors' | 'heatmap';
export interface PreviewLayer {
  id: string;
  kind: PreviewLayerKind;
  label: string;
  /** PNG (RGBA for overlays) as a data: URI. */
  png: string;
  /** Legend entries (colour → meaning), e.g. for the error map. */
  legend?: { colour: string; label: string }[];
}
export interface PreviewDataResult {
  imageId: string;
  split?: string;
  width: number;
  height: number;
  depth: number;
  slice: number;
  spacing: [number, number, number];
  /** Scalar images (CT, grey, 16-bit): the display window [centre, width] drawn; absent for colour images, which are shown as stored. */
  window?: [number, number];
  layers: PreviewLayer[];
  /** Per method: the per-image metrics of the last evaluation. */
  metrics: Record<string, Record<string, number | undefined>>;
  /** The split of the last evaluation, so an image without results can say why (absent before one). */
  evaluatedSplit?: string;
  /** Neighbouring ids in the split order, and the next image by ascending Dice of the best model. */
  previous?: string;
  next?: string;
  nextWorst?: string;
}

// ── server → client notification after a run: refresh views ──────────────────────────────
export const ResultsChangedNotificationMethod = 'medseg/resultsChanged';
export interface ResultsChangedParams {
  uri: string;
  outputDir: string;
}

// ── Workspace trust ──────────────────────────────────────────────────────────────────────
/** The client's `initializationOptions`. `trusted: false` is VS Code's Restricted Mode; absent means trusted (editors without the notion). */
export interface InitializationOptions {
  trusted?: boolean;
}
/** Client → server when the user trusts the workspace after the server started. */
export const WorkspaceTrustedNotificationMethod = 'medseg/workspaceTrusted';
/**
 * `data.code` of the error a request gets that an untrusted workspace does not allow: running a
 * model (evaluate, stress test, UMAP) or writing outside the workspace folders.
 */
export const UNTRUSTED_ERROR_CODE = 'untrusted-workspace';

// ── Requests the client also sends (added with the VS Code client). A server without one answers
// MethodNotFound, and the client tells the user the feature is not available yet. ────────────

// ── medseg/generateSplit (work-done progress + cancellation): propose a split, write its CSV ──
export const GenerateSplitRequestMethod = 'medseg/generateSplit';
export interface GenerateSplitParams {
  uri: string;
  /** Absolute path of the CSV to write; default: `splits.file` of the config, else splits.csv beside it. */
  out?: string;
  seed?: number;
  tries?: number;
}
export interface GenerateSplitResult {
  /** Absolute path of the CSV written. */
  file: string;
  rows: number;
  splits: Record<string, number>;
  seed: number;
}

// ── medseg/umap (work-done progress + cancellation): a 2-D embedding of the evaluated images ──
export const UmapRequestMethod = 'medseg/umap';
export interface UmapParams {
  uri: string;
  /** `split`, a clinical label column, or `best_method`; default: explain.umap.color_by. */
  colorBy?: string;
}
export interface UmapResult {
  colorBy: string;
  /** The first map (the images'), one object per point. */
  points: { imageId: string; x: number; y: number; group?: string; dice?: number }[];
  /** Every map of umap.json, column-wise, for the canvas view; `group` indexes `groups`. */
  maps?: UmapMapData[];
  groups?: string[];
  outputDir?: string;
}
/** One UMAP map, column-wise: a 60,000-point map travels as arrays, not 60,000 objects. */
export interface UmapMapData {
  /** `images`, or `<model>:<layer>`. */
  name: string;
  features: 'images' | 'layer';
  model?: string;
  /** Point i is image ids[i] at (x[i], y[i]). */
  ids: string[];
  x: number[];
  y: number[];
  /** Per point: index into UmapResult.groups, −1 when the point has no value. */
  group: number[];
  /** Per point: the best model's Dice in the last evaluation, null when not evaluated. */
  dice: (number | null)[];
  /** Per point: 1 out of distribution, 0 a test image within, −1 not tested. */
  ood: number[];
  /** How the neighbours were found (umap.json's neighbor_search). */
  neighborSearch: { method: 'exact' | 'nn-descent'; recall?: number };
}

// ── medseg/thumbnail: a small image of one case, for the UMAP view's hover ──
export const ThumbnailRequestMethod = 'medseg/thumbnail';
export interface ThumbnailParams {
  uri: string;
  imageId: string;
  /** Longest side in pixels (default 96, at most 256). */
  size?: number;
}
export interface ThumbnailResult {
  imageId: string;
  width: number;
  height: number;
  /** `data:image/png;base64,…` */
  dataUri: string;
}

// ── medseg/stressTest (work-done progress + cancellation): perturbations and label mixes ──
export const StressTestRequestMethod = 'medseg/stressTest';
export interface StressTestParams {
  uri: string;
  split?: SplitChoice;
  provider?: ProviderChoice;
}
export interface StressTestResult {
  /** Folder the stress results were written to. */
  outputDir: string;
  /** Mean Dice per method under each perturbation and level. */
  rows: { perturbation: string; level: number; method: string; dice?: number; drop?: number }[];
  findings: FindingData[];
}

export * from './sections';

// ── work-done progress on a client token (LSP WorkDoneProgressParams) ─────────────────────
/**
 * `medseg/validate` and `medseg/evaluate` also accept the standard `workDoneToken`: the server
 * then reports `$/progress` on it (else on a token it creates, when the client supports that).
 */
export interface WorkDoneTokenParam {
  workDoneToken?: string | number;
}
