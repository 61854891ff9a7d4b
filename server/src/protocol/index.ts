/**
 * The neutral module the client and the server both import (with reportData.ts, the view model):
 * custom LSP requests and their types, and the sections the engine shapes for report.html and
 * the dashboard. Plain data only: no vscode, no Node, no engine code and no import from outside
 * this folder (test/lint/layers.test.ts), so either side can change its internals freely and the
 * engine (server/src/core) depends on none of its callers.
 */

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
export interface EvaluateResult {
  /** Absolute folder of the results (per_image.csv, summary.json, …). */
  outputDir: string;
  provider?: string;
  images: number;
  /** Mean of each metric per method (models then fusions). */
  methods: Record<string, { kind: 'model' | 'fusion'; n: number; metrics: Record<string, MetricSummaryData> }>;
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

// ── work-done progress on a client token (LSP WorkDoneProgressParams) ─────────────────────
/**
 * `medseg/validate` and `medseg/evaluate` also accept the standard `workDoneToken`: the server
 * then reports `$/progress` on it (else on a token it creates, when the client supports that).
 */
export interface WorkDoneTokenParam {
  workDoneToken?: string | number;
}
