/**
 * The report's "Explanations" section: per explanation method run on the results folder (each
 * method's explain.json), a table of the models (layer, exact or finite-difference gradients, the
 * shares of the heat inside the reference, on type I and type II pixels with their intervals, time
 * per image), the family and model comparisons as sentences, and galleries of the images with the
 * most and the least heat inside the reference. Plain data in the protocol's shape; the drawing is
 * client/src/webview/explainViews.ts. Like the stress section, an explain.json that cannot be read
 * never costs the report: the section names the file and the fix.
 */
import type { ExplainComparisonData, ExplainMethodSectionData, ExplainModelSectionData, ExplainSectionData, MetricSummaryData } from '../../protocol';
import type { DatasetCase } from '../dataset/types';
import { EXPLAIN_UNREADABLE_CODE, readExplainReports } from '../explain/explainFile';
import type { ExplainedModel, ExplainReport } from '../explain/explainReport';
import { explainRowFiles } from '../explain/explainRows';
import { isInputGradient, METHOD_LABELS, type CamMethod } from '../explain/methods';
import type { ForegroundRule } from '../io/types';
import type { MetricSummary } from '../metrics/aggregate';
import { readJsonIfPresent } from '../util/jsonFile';
import { modelGallery } from './explainGallery';

/** What the report around the section shows, to say when an explanation run belongs to another evaluation. */
export interface ExplainShown {
  experiment: string;
  split: string;
  /** The evaluation's models (fusions are not explained). */
  models: readonly string[];
  /** sha256 of each ONNX model file the evaluation ran (summary.json `models.<m>.sha256`). */
  modelHashes: Readonly<Record<string, string>>;
}

type Json = Record<string, unknown>;
const obj = (x: unknown): Json | undefined => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Json) : undefined);

/** The evaluation a summary.json describes, for the section's mismatch notes (summary.json as the engine writes it, or as read from disk). */
export function explainShownOf(summary: { experiment?: unknown; split?: unknown; methods?: unknown; models?: unknown }): ExplainShown {
  const methods = obj(summary.methods) ?? {};
  const models = Object.entries(methods)
    .filter(([name, m]) => obj(m)?.kind === 'model' || (obj(m)?.kind === undefined && !name.startsWith('fusion:')))
    .map(([name]) => name);
  const modelHashes: Record<string, string> = {};
  for (const [name, m] of Object.entries(obj(summary.models) ?? {})) {
    const sha = obj(m)?.sha256;
    if (typeof sha === 'string' && sha) modelHashes[name] = sha;
  }
  return { experiment: String(summary.experiment ?? ''), split: String(summary.split ?? ''), models, modelHashes };
}

export interface ExplainSectionOptions {
  /** Where each image and its reference are (any superset of the explained images). */
  cases: readonly DatasetCase[];
  foreground: ForegroundRule;
  /** Thumbnails per gallery (most, least) of one model and method; default 4. */
  perList?: number;
  /** Thumbnails in the whole section; with many models and methods each gallery gets fewer (at least 1). Default 320. */
  budget?: number;
  /** Longer side of a thumbnail in pixels; default 120. */
  thumbnailSize?: number;
}

export const EXPLAIN_GALLERY_PER_LIST = 4;
/** About 320 × 5 kB: the section never adds more than a few MB to report.html. */
export const EXPLAIN_THUMBNAIL_BUDGET = 320;
export const EXPLAIN_THUMBNAIL_SIZE = 120;
/** Model pairs listed per method (the rest are in explain.json): 30 models make 435 pairs. */
export const EXPLAIN_PAIRS_SHOWN = 15;
const FAILURES_SHOWN = 5;

/** Thumbnails per gallery so that every model and method gets two galleries within the budget. */
export function galleryPerList(galleries: number, perList = EXPLAIN_GALLERY_PER_LIST, budget = EXPLAIN_THUMBNAIL_BUDGET): number {
  if (galleries === 0) return perList;
  return Math.max(1, Math.min(perList, Math.floor(budget / (2 * galleries))));
}

/** explain.json stores undefined numbers as null or leaves them out. */
const value = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

function stat(s: MetricSummary | undefined): MetricSummaryData {
  const out: MetricSummaryData = { n: value(s?.n) ?? 0, excluded: value(s?.excluded) ?? 0 };
  for (const key of ['mean', 'median', 'std'] as const) {
    const v = value(s?.[key]);
    if (v !== undefined) out[key] = v;
  }
  const lo = value(s?.ci95?.[0]);
  const hi = value(s?.ci95?.[1]);
  if (lo !== undefined && hi !== undefined) out.ci95 = [lo, hi];
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
/** A difference of shares in percentage points, signed; one that rounds to 0.0 has no sign. */
const points = (x: number) => {
  const size = Math.abs(100 * x).toFixed(1);
  return `${size === '0.0' ? '' : x > 0 ? '+' : '−'}${size} percentage points`;
};
/** p as the report's comparison matrix writes it. */
export const formatP = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2));
/** With a true minus sign; `digits` fixed, or as the number prints when absent. */
const signed = (x: number, digits?: number) => `${x < 0 ? '−' : ''}${digits === undefined ? String(Math.abs(x)) : Math.abs(x).toFixed(digits)}`;

const MEASURES: Record<string, string> = {
  inside_reference: 'Heat inside the reference',
  inside_prediction: 'Heat inside the prediction',
  inside_fp: 'Heat on type I errors (FP pixels)',
  inside_fn: 'Heat on type II errors (FN pixels)',
  dice: 'Dice',
};

const STATISTIC_NAMES: Record<string, string> = { 'Paired t-test': 't', 'Wilcoxon signed-rank': 'W' };

interface StoredComparison {
  a: string;
  b: string;
  metric: string;
  n: number;
  mean_difference: number;
  mean_a?: number;
  mean_b?: number;
  test: string;
  statistic: number;
  p: number;
  p_adjusted: number;
  effect_size?: number;
  effect_name?: string;
}

/** The test part of a sentence: test, statistic, p, Holm p and effect size, or why there is no test. */
function testClause(c: StoredComparison): string {
  if (c.test.startsWith('none')) {
    return c.mean_difference === 0 ? 'no test: the values are identical on every image' : `no test: every image differs by the same ${Math.abs(100 * c.mean_difference).toFixed(1)} percentage points`;
  }
  const effect = value(c.effect_size) !== undefined ? `; ${c.effect_name ?? 'effect size'} ${signed(c.effect_size!, 2)}` : '';
  return `${c.test}, ${STATISTIC_NAMES[c.test] ?? 'statistic'} = ${signed(+c.statistic.toPrecision(4))}, p = ${formatP(c.p)}, Holm-adjusted p = ${formatP(c.p_adjusted)}${effect}`;
}

/**
 * One comparison as data and as a sentence. Families: `Heat inside the reference: TII 88.2% vs
 * LMI 99.9% on 16 images (each image: the mean over the family's models); Wilcoxon signed-rank,
 * W = 0, p = 3.1e-5, Holm-adjusted p = 3.1e-5; matched-pairs rank-biserial correlation −1.00.`
 */
export function comparisonData(c: StoredComparison, family: boolean): ExplainComparisonData {
  const measure = MEASURES[c.metric] ?? c.metric;
  const meanA = value(c.mean_a);
  const meanB = value(c.mean_b);
  const means = family && meanA !== undefined && meanB !== undefined;
  const head = means
    ? `${measure}: ${c.a} ${pct(meanA)} vs ${c.b} ${pct(meanB)} on ${c.n} images (each image: the mean over the family's models)`
    : `${measure}: ${c.a} vs ${c.b}, mean difference ${points(c.mean_difference)} on ${c.n} images`;
  return {
    a: c.a,
    b: c.b,
    measure: c.metric,
    n: c.n,
    ...(meanA !== undefined ? { meanA } : {}),
    ...(meanB !== undefined ? { meanB } : {}),
    meanDifference: c.mean_difference,
    test: c.test,
    statistic: c.statistic,
    p: c.p,
    pAdjusted: c.p_adjusted,
    ...(value(c.effect_size) !== undefined ? { effectSize: c.effect_size } : {}),
    ...(c.effect_name ? { effectName: c.effect_name } : {}),
    sentence: `${head}; ${testClause(c)}.`,
  };
}

function layerText(method: CamMethod, m: ExplainedModel): Pick<ExplainModelSectionData, 'layer' | 'layerShape'> {
  if (isInputGradient(method)) return { layer: 'input image' };
  const l = m.layer;
  if (!l || typeof l !== 'object') return { layer: '–' };
  return { layer: String(l.name), layerShape: `${l.op} · ${l.channels}×${l.height}×${l.width}` };
}

function modelRow(report: ExplainReport, name: string, m: ExplainedModel): Omit<ExplainModelSectionData, 'most' | 'least'> {
  const s = m.summary;
  const seconds = value(m.seconds_per_image);
  const choice = isInputGradient(report.method) ? undefined : m.layer?.rule;
  return {
    model: name,
    family: String(m.family ?? ''),
    ...layerText(report.method, m),
    ...(choice === 'auto' || choice === 'config' ? { layerChoice: choice } : {}),
    gradient: m.gradient === 'exact' || m.gradient === 'differences' ? m.gradient : 'none',
    ...(m.gradient_note ? { gradientNote: m.gradient_note } : {}),
    images: value(m.images) ?? 0,
    resumed: value(m.resumed) ?? 0,
    ...(seconds !== undefined ? { secondsPerImage: seconds } : {}),
    dice: stat(s.dice),
    insideReference: stat(s.inside_reference),
    insidePrediction: stat(s.inside_prediction),
    insideFp: stat(s.inside_fp),
    insideFn: stat(s.inside_fn),
  };
}

/** The model file each model's rows were made with (`explain/<method>/<model>.run.json`), when it says. */
async function explainedHash(outputDir: string, method: string, model: string): Promise<string | undefined> {
  try {
    const run = obj(await readJsonIfPresent(explainRowFiles(outputDir, method, model).run, EXPLAIN_UNREADABLE_CODE, 'run `medseg explain` again'));
    return typeof run?.model_sha256 === 'string' ? run.model_sha256 : undefined;
  } catch {
    return undefined; // an unreadable fingerprint only costs the model-file check
  }
}

const list = (names: readonly string[]) => names.join(', ');

/** Where an explanation run differs from the evaluation the report shows, and what to run. */
async function mismatchNotes(outputDir: string, report: ExplainReport, shown: ExplainShown): Promise<string[]> {
  const label = METHOD_LABELS[report.method];
  const run = `The ${label} run of ${report.time}`;
  const again = `run \`medseg explain --method ${report.method}\` again`;
  const notes: string[] = [];
  if (shown.split && shown.split !== report.split) notes.push(`${run} explained the ${report.split} split; this report evaluates the ${shown.split} split (explain follows evaluation.split).`);
  const explained = Object.keys(report.models);
  const failedModels = new Set(report.failures.filter((f) => !f.image_id).map((f) => f.model));
  const lacking = Object.keys(shown.modelHashes).filter((m) => !explained.includes(m) && !failedModels.has(m));
  const extra = explained.filter((m) => !shown.models.includes(m));
  if (lacking.length || extra.length) {
    const parts = [...(lacking.length ? [`it lacks ${list(lacking)}`] : []), ...(extra.length ? [`it has ${list(extra)}, which this evaluation does not`] : [])];
    notes.push(`${run} was of other models than this evaluation (${parts.join('; ')}): ${again}.`);
  }
  for (const model of explained) {
    const evaluated = shown.modelHashes[model];
    if (!evaluated) continue;
    const used = await explainedHash(outputDir, report.method, model);
    if (used && used !== evaluated) {
      notes.push(`${model} was explained from another model file than this evaluation ran (sha256 ${used.slice(0, 12)}… against ${evaluated.slice(0, 12)}…): its heatmaps need not match the evaluation's masks; ${again}.`);
    }
  }
  return notes;
}

function failureLines(report: ExplainReport): string[] {
  return report.failures.slice(0, FAILURES_SHOWN).map((f) => `${f.image_id ? `${f.image_id} (${f.model})` : f.model}: ${f.message} [${f.code}]`);
}

async function methodSection(outputDir: string, report: ExplainReport, shown: ExplainShown, perList: number, options: ExplainSectionOptions, cases: ReadonlyMap<string, DatasetCase>): Promise<ExplainMethodSectionData> {
  const models: ExplainModelSectionData[] = [];
  for (const [name, m] of Object.entries(report.models)) {
    const gallery = await modelGallery({ outputDir, method: report.method, model: name, cases, foreground: options.foreground, size: options.thumbnailSize ?? EXPLAIN_THUMBNAIL_SIZE }, perList);
    models.push({ ...modelRow(report, name, m), most: gallery.most, least: gallery.least, ...(gallery.note ? { galleryNote: gallery.note } : {}) });
  }
  const pairs = [...report.comparisons].sort((x, y) => x.p_adjusted - y.p_adjusted || (x.a + x.b < y.a + y.b ? -1 : 1));
  return {
    method: report.method,
    label: METHOD_LABELS[report.method],
    time: String(report.time ?? ''),
    split: report.split,
    target: String(report.target ?? ''),
    imageRule: String(report.image_rule ?? ''),
    layerRule: String(report.layer_rule ?? ''),
    inputGradient: isInputGradient(report.method),
    models,
    families: report.families.map((c) => comparisonData(c, true)),
    comparisons: pairs.slice(0, EXPLAIN_PAIRS_SHOWN).map((c) => comparisonData(c, false)),
    comparisonCount: report.comparisons.length,
    failures: failureLines(report),
    failureCount: report.failures.length,
    notes: await mismatchNotes(outputDir, report, shown),
  };
}

/** The section for a results folder; undefined when `medseg explain` has not run there. */
export async function reportExplainSection(outputDir: string, shown: ExplainShown, options: ExplainSectionOptions): Promise<ExplainSectionData | undefined> {
  const { reports, problems } = await readExplainReports(outputDir);
  if (reports.length === 0 && problems.length === 0) return undefined;
  const galleries = reports.reduce((n, r) => n + Object.keys(r.models).length, 0);
  const wanted = options.perList ?? EXPLAIN_GALLERY_PER_LIST;
  const perList = galleryPerList(galleries, wanted, options.budget ?? EXPLAIN_THUMBNAIL_BUDGET);
  const notes = perList < wanted ? [`${galleries} models × methods: ${perList} thumbnail${perList === 1 ? '' : 's'} per gallery instead of ${wanted}, to keep report.html small; the preview shows every image's heatmaps.`] : [];
  const cases = new Map(options.cases.map((c) => [c.id, c]));
  const methods: ExplainMethodSectionData[] = [];
  for (const report of reports) methods.push(await methodSection(outputDir, report, shown, perList, options, cases));
  return { experiment: shown.experiment, methods, galleryPerList: perList, notes, problems: problems.map((p) => p.message) };
}
