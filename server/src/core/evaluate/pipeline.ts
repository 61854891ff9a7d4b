/**
 * The evaluation pipeline: cases stream through (hash → cached or fresh prediction per model →
 * metrics → files) with a few cases in flight, so decoding, inference (worker threads) and metric
 * kernels overlap. Only per-image rows and fixed-size dataset sums are kept; no case's pixels
 * outlive its turn. One bad image or one NaN-producing model is a failure of that row, reported
 * and skipped; the run goes on.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MedsegConfig, MetricName, SplitName } from '../config/types';
import type { DatasetCase, ResolvedDataset } from '../dataset/types';
import { InputError, type Finding } from '../findings';
import { readImage, readMask, writeFileAtomic, type BinaryMask, type ForegroundRule, type ImageVolume } from '../io';
import { computeImageMetrics, PooledCounts } from '../metrics';
import { formatPerImageCsv, type PerImageRow } from '../results/perImage';
import { PredictionCache, thresholdQuantised } from '../results/predictionCache';
import { formatSummaryJson, summarizeMethods, type EvaluationSummary } from '../results/summary';
import { mapConcurrent } from '../util/concurrency';
import { sha256 } from '../util/hash';
import { ENGINE_VERSION } from '../version';
import { writeMaskFile, writeProbabilityFile, type CaseGeometry } from './outputs';
import { selectCases, type Shard } from './selectCases';
import { FileSource, OnnxSource, type CaseInput, type PredictionSource } from './sources';

export interface EvaluationProgress {
  done: number;
  total: number;
  imageId?: string;
  /** Inferences run so far (the rest came from the cache). */
  inferences: number;
}

export interface EvaluateOptions {
  split?: SplitName | 'all';
  /** Results folder; default `<config.output>/<config.name>`. */
  outputDir?: string;
  provider?: MedsegConfig['runtime']['provider'];
  shard?: Shard;
  signal?: AbortSignal;
  onProgress?: (p: EvaluationProgress) => void;
  /** Cases in flight at once (default 2: one decoding while one infers). */
  concurrency?: number;
}

export interface EvaluationResult {
  outputDir: string;
  summary: EvaluationSummary;
  rows: PerImageRow[];
  findings: Finding[];
}

interface CaseOutcome {
  rows: PerImageRow[];
  failures: EvaluationSummary['failures'];
}

export async function evaluateExperiment(config: MedsegConfig, dataset: ResolvedDataset, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const split = options.split ?? config.evaluation.split;
  const outputDir = options.outputDir ?? join(config.output, config.name);
  const metrics = config.evaluation.metrics;
  const cases = selectCases(dataset.cases, split, options.shard);
  const findings: Finding[] = [];
  if (cases.length === 0) {
    findings.push({
      code: 'evaluate/no-cases',
      severity: 'error',
      message: `No case with a reference mask in split \`${split}\`${options.shard ? ` (shard ${options.shard.index + 1}/${options.shard.count})` : ''}: nothing to evaluate.`,
      location: { file: config.file },
      configPath: ['evaluation', 'split'],
    });
  }

  const cache = new PredictionCache(join(config.runtime.cache, 'predictions'));
  const runtime = { ...config.runtime, provider: options.provider ?? config.runtime.provider };
  const sources: PredictionSource[] = [];
  try {
    for (const model of config.models) {
      options.signal?.throwIfAborted();
      sources.push(model.path ? await OnnxSource.create(model, runtime, cache, options.signal) : new FileSource(model));
    }
    const methodNames = sources.map((s) => s.model.name);
    const pooled = new Map(methodNames.map((m) => [m, new PooledCounts()]));

    let done = 0;
    const outcomes = await mapConcurrent(cases, options.concurrency ?? 2, async (c) => {
      options.signal?.throwIfAborted();
      const outcome = await evaluateCase(c, { sources, metrics, foreground: config.dataset.foreground, pooled, outputDir, signal: options.signal });
      done++;
      options.onProgress?.({ done, total: cases.length, imageId: c.id, inferences: sources.reduce((a, s) => a + s.inferences, 0) });
      return outcome;
    });

    const rows = outcomes.flatMap((o) => o.rows);
    const failures = outcomes.flatMap((o) => o.failures);
    for (const f of failures) {
      findings.push({
        code: f.code,
        severity: 'error',
        message: `${f.imageId}${f.method ? ` (${f.method})` : ''}: ${f.message}`,
        location: { file: config.file },
        configPath: f.method ? ['models', config.models.findIndex((m) => m.name === f.method)] : ['dataset'],
      });
    }
    const labelsById = new Map(cases.map((c) => [c.id, c.labels]));
    const firstOnnx = sources.find((s) => s.provider);
    const summary: EvaluationSummary = {
      experiment: config.name,
      time: new Date().toISOString(),
      engineVersion: ENGINE_VERSION,
      config: config.file,
      split,
      shard: options.shard,
      provider: firstOnnx ? { used: firstOnnx.provider!, attempts: firstOnnx.attempts ?? [] } : undefined,
      seeds: { bootstrap: config.evaluation.seed },
      bootstrap: config.evaluation.bootstrap,
      images: cases.length,
      models: Object.fromEntries(
        sources.map((s) => [s.model.name, { family: s.model.family, source: s.model.path ?? s.model.predictions, sha256: s.modelHash, trainSize: s.model.trainSize }]),
      ),
      imageListSha256: sha256(cases.map((c) => c.id).join('\n')),
      methods: summarizeMethods({
        rows,
        methods: sources.map((s) => ({ name: s.model.name, kind: 'model' as const, family: s.model.family })),
        metrics,
        pooled,
        labelsOf: (id) => labelsById.get(id) ?? {},
        labelColumns: dataset.labelColumns,
        bootstrap: config.evaluation.bootstrap,
        seed: config.evaluation.seed,
      }),
      failures,
    };
    await writeFileAtomic(join(outputDir, 'per_image.csv'), formatPerImageCsv(rows, methodNames));
    await writeFileAtomic(join(outputDir, 'summary.json'), formatSummaryJson(summary));
    return { outputDir, summary, rows, findings };
  } finally {
    await Promise.all(sources.map((s) => s.dispose()));
  }
}

interface CaseContext {
  sources: PredictionSource[];
  metrics: MetricName[];
  foreground: ForegroundRule;
  pooled: Map<string, PooledCounts>;
  outputDir: string;
  signal?: AbortSignal;
}

function failureOf(err: unknown): { code: string; message: string } {
  if (err instanceof InputError) return { code: err.code, message: err.message };
  throw err; // anything else is a bug (or an abort) and must not be swallowed as a row failure
}

async function evaluateCase(c: DatasetCase, ctx: CaseContext): Promise<CaseOutcome> {
  const failures: CaseOutcome['failures'] = [];
  let ref: BinaryMask;
  let imageHash: string;
  try {
    [ref, imageHash] = await Promise.all([readMask(c.mask!, ctx.foreground, { slice: c.slice }), readFile(c.image).then(sha256)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { rows: [], failures: [{ imageId: c.id, code: 'io/not-found', message: `${(err as NodeJS.ErrnoException).path} does not exist.` }] };
    }
    return { rows: [], failures: [{ imageId: c.id, ...failureOf(err) }] };
  }
  let decoded: Promise<ImageVolume> | undefined;
  const input: CaseInput = {
    case: c,
    imageHash,
    image: () => (decoded ??= readImage(c.image, { slice: c.slice })),
    ref: { width: ref.width, height: ref.height, depth: ref.depth },
  };
  const geometry: CaseGeometry = {
    width: ref.width,
    height: ref.height,
    depth: ref.depth,
    spacing: ref.spacing,
    spacingKnown: ref.spacingKnown,
    nifti: c.slice === undefined ? ref.nifti : undefined,
  };
  const rows: PerImageRow[] = [];
  for (const source of ctx.sources) {
    const method = source.model.name;
    let q;
    try {
      q = await source.predict(input, ctx.signal);
    } catch (err) {
      failures.push({ imageId: c.id, method, ...failureOf(err) });
      continue;
    }
    const mask = thresholdQuantised(q.prob, source.model.output.threshold);
    const prob = new Float32Array(q.prob.length);
    for (let i = 0; i < prob.length; i++) prob[i] = q.prob[i] / 65535;
    const m = computeImageMetrics(ref, mask, prob, ctx.metrics, { pooled: ctx.pooled.get(method) });
    rows.push({
      imageId: c.id,
      split: c.split ?? '',
      method,
      metrics: m,
      refPixels: m.ref_pixels,
      predPixels: m.pred_pixels,
      ...m.confusion,
    });
    await writeMaskFile(ctx.outputDir, method, c.id, geometry, mask);
    await writeProbabilityFile(ctx.outputDir, method, c.id, geometry, q.prob);
  }
  return { rows, failures };
}
