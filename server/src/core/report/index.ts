/**
 * report.html from a finished evaluation: the summary with CIs, per-image distributions, ROC
 * curves, comparisons, fusion gains, size and learning curves, best/worst galleries, the split
 * diagnostics and a provenance section that makes the page auditable (hashes of every model and of
 * the image list, the config as run, versions, provider, seeds, and the command that reproduces it),
 * with the stress tests (stress.json) and the explanations (explain.json files) of the same folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ReportData, ReportGalleryItem } from '../../protocol/reportData';
import type { ResultsAnalysis } from '../compare';
import type { MedsegConfig, MetricName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { readImage, readMask, writeFileAtomic } from '../io';
import type { PerImageTable } from '../results/perImageTable';
import type { EvaluationSummary } from '../results/summary';
import { improvement, isBetter } from '../metrics/direction';
import { outputExtension } from '../evaluate/outputs';
import { caseFilePath } from '../results/fileNames';
import { resultPath } from '../results/resultPath';
import { errorOverlayPng, pngDataUri, representativeSlice, toDisplayRgb } from './display';
import { renderReportHtml } from './html';
import { explainShownOf, reportExplainSection } from './explainSection';
import { reportStressSection } from './stressSection';

export { renderReportHtml } from './html';
export * from './display';

export interface ReportContext {
  config: MedsegConfig;
  cases: readonly DatasetCase[];
  /** The command line that reproduces the run. */
  command: string;
  /** Every case of the dataset, when `cases` holds only the evaluated ones: explanations may be of another split. */
  datasetCases?: readonly DatasetCase[];
  galleryCount?: number;
}

function packageVersion(name: string): string {
  // Some packages (sharp) do not export package.json: walk up from their entry point instead.
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (pkg.name === name) return pkg.version;
    }
  } catch {
    // fall through
  }
  return 'unknown';
}

async function galleryItem(outputDir: string, c: DatasetCase, method: string, dice: number | undefined, config: MedsegConfig): Promise<ReportGalleryItem | undefined> {
  try {
    const ref = await readMask(c.mask!, config.dataset.foreground, { slice: c.slice });
    const isVolume = ref.depth > 1 && c.slice === undefined && ref.nifti;
    const predFile = caseFilePath(outputDir, 'masks', method, c.id, outputExtension({ ...ref, nifti: isVolume ? ref.nifti : undefined }));
    if (!existsSync(predFile)) return undefined;
    const pred = await readMask(predFile, { kind: 'nonzero' });
    const z = representativeSlice(ref.data, ref.width, ref.height, ref.depth);
    const image = await readImage(c.image, { slice: c.slice });
    const plane = ref.width * ref.height;
    const { rgb } = toDisplayRgb(image, Math.min(z, image.depth - 1));
    if (image.width !== ref.width || image.height !== ref.height) return undefined;
    const png = await errorOverlayPng(rgb, ref.data.subarray(z * plane, (z + 1) * plane), pred.data.subarray(z * plane, (z + 1) * plane), ref.width, ref.height, { maxSize: 160 });
    return { imageId: c.id, method, dice, png: pngDataUri(png) };
  } catch {
    return undefined; // a gallery thumbnail is never worth failing a report for
  }
}

export async function buildReportData(outputDir: string, summary: EvaluationSummary & Partial<ResultsAnalysis>, table: PerImageTable, ctx: ReportContext): Promise<ReportData> {
  const config = ctx.config;
  const primary = config.evaluation.primaryMetric;
  const methods = Object.entries(summary.methods).map(([name, m]) => ({
    name,
    kind: m.kind,
    family: m.family,
    n: m.n,
    metrics: Object.fromEntries(Object.entries(m.metrics).map(([k, v]) => [k, v!])),
    pooled: m.pooled,
    roc: m.roc,
    upperBound: name === 'fusion:best',
  }));
  const models = methods.filter((m) => m.kind === 'model');
  // The best model by the primary metric's own direction (hd95 and the other distances: lowest).
  let bestModelMean: number | undefined;
  for (const m of models) {
    const mean = m.metrics[primary]?.mean;
    if (mean !== undefined && (bestModelMean === undefined || isBetter(primary, mean, bestModelMean))) bestModelMean = mean;
  }
  const changes = (summary.fusion as { changes?: Record<string, Record<string, { fixed_fp: number; fixed_fn: number; broken_fp: number; broken_fn: number }>> } | undefined)?.changes ?? {};
  const fusionGains = methods
    .filter((m) => m.kind === 'fusion' && m.metrics[primary]?.mean !== undefined && bestModelMean !== undefined)
    .map((m) => {
      const perMember = Object.values(changes[m.name] ?? {});
      return {
        fusion: m.upperBound ? `${m.name} (upper bound)` : m.name,
        gain: improvement(primary, m.metrics[primary]!.mean!, bestModelMean!),
        fixedPixels: perMember.reduce((a, c) => a + c.fixed_fp + c.fixed_fn, 0) || undefined,
        brokenPixels: perMember.reduce((a, c) => a + c.broken_fp + c.broken_fn, 0) || undefined,
      };
    });

  const curves: ReportData['curves'] = [];
  const ts = summary.least_images?.test_set;
  if (ts && ts.n.length) {
    curves.push({
      name: `Test-set size: CI half-width of mean Dice (${ts.method})`,
      x: ts.n,
      y: ts.half_width,
      xLabel: 'test images',
      yLabel: '95% CI half-width of mean Dice',
      target: ts.target_half_width,
      note: ts.needed === undefined ? undefined : `${ts.needed} images reach ±${ts.target_half_width}${ts.extrapolated ? ' (extrapolated with 1/√n)' : ''}; the t-interval with the observed SD says ${ts.needed_t}.`,
    });
  }
  for (const lc of summary.least_images?.learning_curves ?? []) {
    const fit = lc.fit;
    const xs = lc.points.map((p) => p.train_size);
    curves.push({
      name: `Learning curve, family ${lc.family}`,
      x: xs,
      y: lc.points.map((p) => p.mean_dice),
      xLabel: 'training images',
      yLabel: 'mean Dice',
      target: lc.target_dice,
      note: fit
        ? `dice(n) = ${fit.a.toFixed(3)} − ${fit.b.toFixed(3)}·n^(−${fit.c.toFixed(3)}), RMSE ${fit.rmse.toFixed(4)}` +
          (lc.predicted_train_size ? `; ${lc.predicted_train_size} training images predicted for Dice ${lc.target_dice}${lc.predicted_interval ? ` (95% interval ${lc.predicted_interval[0]}–${lc.predicted_interval[1]})` : ''}` : '') +
          (lc.note ? `. ${lc.note}` : '')
        : lc.note,
    });
  }

  const sel = summary.selection;
  const galleryMethod = sel?.best_method ?? models[0]?.name;
  const byId = new Map(ctx.cases.map((c) => [c.id, c]));
  const ranked = galleryMethod ? rankedByDice(table, galleryMethod) : [];
  const count = ctx.galleryCount ?? 6;
  const pick = async (list: { imageId: string; dice: number }[]) =>
    (await Promise.all(list.map((r) => (byId.get(r.imageId) ? galleryItem(outputDir, byId.get(r.imageId)!, galleryMethod!, r.dice, config) : undefined)))).filter((x): x is ReportGalleryItem => !!x);

  const splitFindings = (summary.splits as { code: string; severity: string; message: string }[] | undefined) ?? [];
  const modelHashes = Object.entries(summary.models ?? {}).map(([name, m]) => ({ label: `model ${name}`, value: m.sha256 ? `sha256:${m.sha256} (${m.source})` : `predictions ${m.source}` }));
  let configText = '';
  try {
    configText = readFileSync(config.file, 'utf8');
  } catch {
    configText = '(config file not readable)';
  }
  return {
    experiment: summary.experiment,
    split: summary.split,
    images: summary.images,
    time: summary.time,
    engineVersion: summary.engine_version,
    provider: summary.provider?.used,
    primaryMetric: primary,
    metrics: [...config.evaluation.metrics],
    methods,
    perImage: perImageSample(table, primary),
    comparisons: (summary.comparisons ?? []).map((c) => ({ a: c.a, b: c.b, metric: c.metric, test: c.test, statistic: c.statistic, p: c.p, pAdjusted: c.p_adjusted, effectSize: c.effect_size, effectName: c.effect_name })),
    fusionGains,
    curves,
    selection: sel
      ? {
          bestMethod: sel.best_method,
          significant: sel.significantly_better_than,
          correctImages: sel.correct_images,
          hardCases: sel.hard_cases,
          note: `${sel.correct_by_any} of ${summary.images} images segmented correctly (Dice ≥ ${sel.correct_dice}) by at least one method; ${sel.correct_by_none} by none.`,
        }
      : undefined,
    gallery: { best: await pick(ranked.slice(0, count)), worst: await pick(ranked.slice(-count).reverse()) },
    splits: splitFindings,
    ...notEvaluated(summary),
    provenance: [
      { label: 'command', value: ctx.command },
      { label: 'date', value: summary.time },
      { label: 'engine', value: `medseg-eval ${summary.engine_version}` },
      { label: 'runtime', value: `node ${process.version}, onnxruntime-node ${packageVersion('onnxruntime-node')}, sharp ${packageVersion('sharp')}` },
      { label: 'provider', value: summary.provider ? `${summary.provider.used} (${summary.provider.attempts.map((a) => `${a.provider}: ${a.ok ? 'ok' : a.reason}`).join('; ')})` : 'none (existing predictions)' },
      { label: 'seeds', value: `bootstrap ${summary.seeds.bootstrap} (${summary.bootstrap} resamples)` },
      { label: 'image list', value: `sha256:${summary.image_list_sha256} (${summary.images} images, split ${summary.split})` },
      ...modelHashes,
      { label: 'config as run', value: configText },
    ],
  };
}

/** Failures listed in a report (the rest are counted): a run where every image failed stays a small page. */
const REPORT_FAILURES_SHOWN = 100;

/** What the run did not evaluate: skipped models and failed image results, shown beside the summary. */
function notEvaluated(summary: EvaluationSummary): Pick<ReportData, 'skippedModels' | 'failures' | 'failureCount'> {
  const failures = summary.failures ?? [];
  return {
    skippedModels: (summary.skipped_models ?? []).map((m) => ({ name: m.name, code: m.code, reason: m.reason })),
    failures: failures.slice(0, REPORT_FAILURES_SHOWN).map((f) => ({ imageId: f.image_id, ...(f.method ? { method: f.method } : {}), code: f.code, message: f.message })),
    failureCount: failures.length,
  };
}

/** Box plots need the distribution, not every image: above this many values per method, quantiles stand in. */
const BOX_PLOT_VALUES = 2000;

/** A method's images with a Dice, best first (ties by id): the gallery's candidates. */
function rankedByDice(table: PerImageTable, method: string): { imageId: string; dice: number }[] {
  const dice = table.column(method, 'dice');
  const ids = table.imageIds;
  const out: { imageId: string; dice: number }[] = [];
  for (let i = 0; i < dice.length; i++) if (!Number.isNaN(dice[i])) out.push({ imageId: ids[i], dice: dice[i] });
  return out.sort((a, b) => b.dice - a.dice || (a.imageId < b.imageId ? -1 : 1));
}

/**
 * Per-image values of the primary metric for the box plots. Above BOX_PLOT_VALUES per method,
 * evenly spaced order statistics of the sorted values (quantiles 0, 1/(k−1), …, 1) replace the
 * images: the box plot is the same and a 60,000-image report stays a few MB.
 */
function perImageSample(table: PerImageTable, primary: MetricName): ReportData['perImage'] {
  const out: ReportData['perImage'] = [];
  const ids = table.imageIds;
  for (const method of table.methods) {
    const present = table.presence(method);
    const values = table.column(method, primary);
    const value = (i: number) => (Number.isNaN(values[i]) ? undefined : values[i]);
    if (table.rowsOf(method) <= BOX_PLOT_VALUES) {
      for (let i = 0; i < present.length; i++) if (present[i]) out.push({ imageId: ids[i], method, value: value(i) });
      continue;
    }
    const sorted: number[] = [];
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) sorted.push(i);
    sorted.sort((a, b) => values[a] - values[b] || a - b); // ties in image order, as a stable sort of rows
    for (let k = 0; k < BOX_PLOT_VALUES && sorted.length; k++) {
      const i = sorted[Math.round((k * (sorted.length - 1)) / (BOX_PLOT_VALUES - 1))];
      out.push({ imageId: ids[i], method, value: values[i] });
    }
  }
  return out;
}

export async function writeReport(outputDir: string, summary: EvaluationSummary, table: PerImageTable, ctx: ReportContext): Promise<string> {
  const data = await buildReportData(outputDir, summary, table, ctx);
  const stress = await reportStressSection(outputDir, { experiment: summary.experiment, split: summary.split, methods: Object.keys(summary.methods) });
  const explain = await reportExplainSection(outputDir, explainShownOf(summary), { cases: ctx.datasetCases ?? ctx.cases, foreground: ctx.config.dataset.foreground });
  const path = resultPath(outputDir, 'report.html');
  await writeFileAtomic(path, renderReportHtml({ ...data, ...(stress ? { stress } : {}), ...(explain ? { explain } : {}) }));
  return path;
}
