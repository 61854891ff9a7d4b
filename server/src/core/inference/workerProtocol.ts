/** Messages between `WorkerModelRunner` (main thread) and the inference worker (`worker.ts`). */
import type { ModelConfig } from '../config/types';
import type { RunnerDescription, RunnerSettings } from './runner';

export type WorkerRequest =
  | { type: 'init'; model: ModelConfig; runtime: RunnerSettings }
  /** Inputs arrive transferred; the worker owns them. */
  | { type: 'run'; id: number; inputs: Float32Array[] }
  | { type: 'dispose' };

export type WorkerResponse =
  | ({ type: 'ready' } & RunnerDescription)
  /** Probability maps at the model size, transferred back. */
  | { type: 'result'; id: number; outputs: Float32Array[] }
  /** `id` is absent for a failed `init`. */
  | { type: 'error'; id?: number; error: SerializedError }
  | { type: 'disposed' };

/** An error as data: worker threads clone plain objects, not Error subclasses. */
export interface SerializedError {
  name: string;
  message: string;
  /** InputError's file and code, ProviderUnavailableError's code. */
  file?: string;
  code?: string;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const e = err as Error & { file?: unknown; code?: unknown };
    return {
      name: e.name,
      message: e.message,
      ...(typeof e.file === 'string' ? { file: e.file } : {}),
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(e.stack ? { stack: e.stack } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/** Distinct transferable buffers of some typed arrays (the same buffer may back several views). */
export function transferList(arrays: readonly Float32Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}
