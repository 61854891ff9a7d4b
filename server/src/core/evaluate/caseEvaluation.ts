/**
 * One case through every method: reference and image hash, each model's prediction (cached or
 * fresh), metrics, fusions, and the case's files. Failures of one model on one case are values;
 * the other models and cases go on.
 */
import type { FusionName, MetricName, MetricSettings } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { InputError } from '../findings';
import { readImage, type BinaryMask, type ForegroundRule, type ImageVolume } from '../io';
import { computeImageMetrics, type ImageMetrics, type PooledCounts } from '../metrics';
import type { PerImageRow } from '../results/perImage';
import { thresholdQuantised } from '../results/predictionCache';
import { sha256 } from '../util/hash';
import type { FusionChange } from '../results/fusionChanges';
import { readCaseReference } from './caseReference';
import { fuseCase, type CaseFusion, type MemberMask } from './fuseCase';
import { writeErrorMapFile, writeMaskFile, writeProbabilityFile, type CaseGeometry } from './outputs';
import type { CaseInput, PredictionSource } from './sources';

export interface CaseFailure {
  imageId: string;
  method?: string;
  code: string;
  message: string;
}

export interface CaseOutcome {
  rows: PerImageRow[];
  failures: CaseFailure[];
  /** This case's fused-vs-member pixel changes (the case id is the caller's). */
  changes: FusionChange[];
  staple?: CaseFusion['staple'];
  /** Inferences this case ran (the others came from the cache). */
  inferences?: number;
}

export interface CaseContext {
  sources: readonly PredictionSource[];
  metrics: readonly MetricName[];
  /** τ, band width and β of the further metrics; absent: their defaults. */
  metricSettings?: MetricSettings;
  foreground: ForegroundRule;
  fusions: readonly FusionName[];
  /** Models whose masks are fused (config order). */
  fusionMembers: readonly string[];
  pooled: ReadonlyMap<string, PooledCounts>;
  /** Results folder; undefined = compute only (validation pass for the deployable fusion choice). */
  outputDir?: string;
  signal?: AbortSignal;
}

function failureOf(err: unknown): { code: string; message: string } {
  if (err instanceof InputError) return { code: err.code, message: err.message };
  throw err; // anything else is a bug (or an abort) and must not be swallowed as a row failure
}

function rowOf(c: DatasetCase, method: string, m: ImageMetrics, source?: string): PerImageRow {
  return { imageId: c.id, split: c.split ?? '', method, metrics: m, refPixels: m.ref_pixels, predPixels: m.pred_pixels, ...m.confusion, source };
}

/**
 * `index`: the case's position in its evaluation (models that batch several cases together wait
 * for each case of a window by it); absent outside an evaluation.
 */
export async function evaluateCase(c: DatasetCase, ctx: CaseContext, index?: number): Promise<CaseOutcome> {
  const outcome: CaseOutcome = { rows: [], failures: [], changes: [] };
  let ref: BinaryMask;
  let imageHash: string;
  try {
    const read = await readCaseReference(c, ctx.foreground);
    ref = read.ref;
    imageHash = sha256(read.imageBytes);
  } catch (err) {
    // No model will see this case: their batch windows must not wait for it.
    if (index !== undefined) for (const source of ctx.sources) source.settle?.(index);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') outcome.failures.push({ imageId: c.id, code: 'io/not-found', message: `${e.path} does not exist.` });
    else outcome.failures.push({ imageId: c.id, ...failureOf(err) });
    return outcome;
  }
  let decoded: Promise<ImageVolume> | undefined;
  const input: CaseInput = {
    case: c,
    index,
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
  // The case's files are encoded and written concurrently (and while the next model predicts);
  // a handler is attached at once so a failed write is not an unhandled rejection before the end.
  const writes: Promise<unknown>[] = [];
  const write = (p: Promise<unknown>) => {
    p.catch(() => undefined);
    writes.push(p);
  };
  try {
    await scoreCase(c, ctx, input, ref, geometry, outcome, write);
  } finally {
    // Every file of the case is written (or has failed) before the case counts as done: an abort or
    // a failure never leaves writes running behind a released results lock.
    const settled = await Promise.allSettled(writes);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  if (input.inferences) outcome.inferences = input.inferences;
  return outcome;
}

/** The models, their metrics and files, then the fusions, into `outcome`; files are handed to `write`. */
async function scoreCase(
  c: DatasetCase,
  ctx: CaseContext,
  input: CaseInput,
  ref: BinaryMask,
  geometry: CaseGeometry,
  outcome: CaseOutcome,
  write: (p: Promise<unknown>) => void,
): Promise<void> {
  const out = ctx.outputDir;
  const members: MemberMask[] = [];
  const modelMetrics = new Map<string, ImageMetrics>();
  const metricOptions = { settings: ctx.metricSettings, voxelMl: voxelMl(ref) };
  for (const source of ctx.sources) {
    const method = source.model.name;
    let q;
    try {
      q = await source.predict(input, ctx.signal);
    } catch (err) {
      outcome.failures.push({ imageId: c.id, method, ...failureOf(err) });
      continue;
    }
    // Softmax regions bring their own mask (argmax in the region); everything else is thresholded.
    const mask = q.mask ?? thresholdQuantised(q.prob, source.model.output.threshold);
    const m = computeImageMetrics(ref, mask, q.prob, ctx.metrics, { ...metricOptions, pooled: ctx.pooled.get(method) });
    modelMetrics.set(method, m);
    if (ctx.fusionMembers.includes(method)) members.push({ model: method, mask });
    outcome.rows.push(rowOf(c, method, m));
    if (out) {
      write(writeMaskFile(out, method, c.id, geometry, mask));
      write(writeProbabilityFile(out, method, c.id, geometry, q.prob, q.png));
      write(writeErrorMapFile(out, method, c.id, geometry, ref.data, mask));
    }
  }
  if (ctx.fusions.length > 0 && ctx.fusionMembers.length >= 2) {
    if (members.length < ctx.fusionMembers.length) {
      const missing = ctx.fusionMembers.filter((m) => !members.some((x) => x.model === m));
      outcome.failures.push({ imageId: c.id, method: 'fusion', code: 'fusion/member-missing', message: `no fusion: ${missing.join(', ')} gave no prediction for this case.` });
    } else {
      const fusion = fuseCase(ref, members, modelMetrics, ctx.fusions, ctx.metrics, ctx.pooled, metricOptions);
      outcome.changes = fusion.changes;
      outcome.staple = fusion.staple;
      for (const f of fusion.fused) {
        outcome.rows.push(rowOf(c, f.method, f.metrics, f.source));
        if (out) {
          write(writeMaskFile(out, f.method, c.id, geometry, f.mask));
          write(writeErrorMapFile(out, f.method, c.id, geometry, ref.data, f.mask));
        }
      }
    }
  }
}

/**
 * One voxel's volume in mL for NIfTI references with a known spacing (a one-slice file or an axial
 * slice counts its slice thickness), so avd is in mL there (RESULTS.md); undefined elsewhere: pixels.
 */
function voxelMl(ref: BinaryMask): number | undefined {
  if (!ref.nifti || !ref.spacingKnown) return undefined;
  const [sx, sy, sz] = ref.spacing;
  return (sx * sy * sz) / 1000;
}
