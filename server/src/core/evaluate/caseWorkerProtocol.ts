/**
 * Messages between the scheduler (casePool.ts, on the evaluation's thread) and a case worker
 * (caseWorker.ts). A run is `begin` (what every case needs: sources, metrics, fusions), then one
 * or more phases (`phase`, its `case`s, `finish`), then `end`. Cases go out as small descriptions;
 * outcomes come back as rows; pixels never cross: each case is read, scored and written where it
 * runs. Only errors that stop the run travel as errors (write failures, bugs).
 */
import type { MessagePort } from 'node:worker_threads';
import type { FusionName, MetricName, MetricSettings, ModelConfig } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { InputError } from '../findings';
import type { HostedModelSpec, StreamSpec } from '../inference';
import type { ForegroundRule } from '../io';
import { WriteError, type WriteErrorDetails } from '../io/writeErrors';
import { PooledCounts } from '../metrics';
import type { CaseOutcome } from './caseEvaluation';

/** One model as a case worker builds its prediction source. */
export interface SourceSpec {
  model: ModelConfig;
  /** ONNX models: the model file's SHA-256 (the cache key) and the session in the inference host. */
  onnx?: { modelHash: string; hosted: HostedModelSpec; batching: { window: number; chunk: number } };
}

/** What every case of a run needs. */
export interface CaseRunSpec {
  sources: SourceSpec[];
  metrics: MetricName[];
  /** τ, band width and β of the further metrics; absent: their defaults. */
  metricSettings?: MetricSettings;
  foreground: ForegroundRule;
  fusions: FusionName[];
  fusionMembers: string[];
  /** Every method of the run (models, then fusions): the pooled sums kept per method. */
  methods: string[];
  /** The prediction cache folder. */
  cacheDir: string;
}

/** One pass over a list of cases. */
export interface PhaseSpec {
  /** Names the phase's inference streams (batch windows are per stream). */
  stream: string;
  cases: number;
  /** Results folder; absent: compute only (the validation pass). */
  outputDir?: string;
}

export type PoolRequest =
  /** `lowPriority`: the thread lowers its scheduling priority first (once: it cannot raise it again). */
  | { type: 'begin'; spec: CaseRunSpec; port?: MessagePort; lowPriority?: boolean }
  | { type: 'phase'; phase: PhaseSpec }
  | { type: 'case'; index: number; case: DatasetCase }
  /** Answered with `finished` once every case given is done. */
  | { type: 'finish' }
  /** Stops the cases in flight; answered with `finished` once they have stopped. */
  | { type: 'abort' }
  | { type: 'end' };

/** A method's pooled sums as they travel (histograms transferred). */
export interface PooledTransfer {
  confusion: PooledCounts['confusion'];
  images: number;
  positives?: Float64Array;
  negatives?: Float64Array;
}

export interface PhaseTotals {
  pooled: Record<string, PooledTransfer>;
  /** Inferences run (cache misses), per model. */
  inferences: Record<string, number>;
  /** The first prediction-cache write that failed, if any. */
  cacheUnsaved?: SerializedRunError;
}

export type PoolResponse =
  | { type: 'ready' }
  | { type: 'outcome'; index: number; outcome: CaseOutcome }
  /** An error that escaped a case: the run stops (a write the file system refused, a bug). */
  | { type: 'failed'; index: number; error: SerializedRunError }
  | ({ type: 'finished' } & PhaseTotals);

export interface SerializedRunError {
  name: string;
  message: string;
  stack?: string;
  /** InputError and WriteError: the file; WriteError: its finding code, errno, reason and details. */
  file?: string;
  code?: string;
  errno?: string;
  reason?: string;
  details?: WriteErrorDetails;
}

export function serializeRunError(err: unknown): SerializedRunError {
  if (err instanceof WriteError) {
    return { name: err.name, message: err.message, stack: err.stack, file: err.file, code: err.code, errno: err.errno, reason: err.reason, details: err.details };
  }
  if (err instanceof Error) {
    const e = err as Error & { file?: unknown; code?: unknown };
    return {
      name: e.name,
      message: e.message,
      stack: e.stack,
      ...(typeof e.file === 'string' ? { file: e.file } : {}),
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/** The error as the evaluation's thread throws it: a WriteError stays a WriteError (exit 74 and its fix), an InputError an InputError. */
export function reviveRunError(e: SerializedRunError): Error {
  let err: Error;
  if (e.name === 'WriteError' && e.file !== undefined && e.errno !== undefined && e.reason !== undefined) {
    err = new WriteError(e.file, e.code as WriteError['code'], e.errno, e.reason, e.details);
  } else if (e.name === 'InputError' && e.file !== undefined) {
    err = new InputError(e.file, e.message, e.code);
  } else if (e.name === 'AbortError') {
    err = new DOMException(e.message, 'AbortError');
  } else {
    err = new Error(e.message);
    err.name = e.name;
    if (e.code !== undefined) Object.assign(err, { code: e.code });
  }
  if (e.stack) {
    try {
      err.stack = e.stack;
    } catch {
      // DOMException's stack cannot be set everywhere: the message is enough
    }
  }
  return err;
}

export function pooledTransfer(p: PooledCounts): PooledTransfer {
  const h = p.scores;
  return { confusion: { ...p.confusion }, images: p.images, ...(h ? { positives: h.positives, negatives: h.negatives } : {}) };
}

export function pooledFromTransfer(t: PooledTransfer): PooledCounts {
  return PooledCounts.fromData({ confusion: t.confusion, images: t.images, positives: t.positives as unknown as number[] | undefined, negatives: t.negatives as unknown as number[] | undefined });
}

/** The buffers of a phase's totals, to transfer rather than copy. */
export function totalsTransferList(totals: PhaseTotals): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const t of Object.values(totals.pooled)) {
    if (t.positives?.buffer instanceof ArrayBuffer) list.push(t.positives.buffer);
    if (t.negatives?.buffer instanceof ArrayBuffer) list.push(t.negatives.buffer);
  }
  return list;
}

/** The stream spec of a source in a phase. */
export function streamOf(phase: PhaseSpec, batching: { window: number; chunk: number }): StreamSpec {
  return { stream: phase.stream, window: batching.window, chunk: batching.chunk, cases: phase.cases };
}
