/**
 * Messages of the inference host (`worker.ts`): with its owner (`InferenceHost`, over the worker's
 * own port) about sessions, and with any number of clients (`HostedModel`s in case workers or on
 * the owner's thread, over MessagePorts the owner hands out) about samples and scores.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ModelConfig } from '../config/types';
import { InputError } from '../findings';
import type { RunnerDescription, RunnerSettings } from './runner';

/** Owner → host. */
export type HostRequest =
  | { type: 'open'; key: number; model: ModelConfig; runtime: RunnerSettings }
  /** Bytes of every activation of one sample at once (the basis of GPU batch sizes). */
  | { type: 'measure'; key: number }
  /** A client's end of a channel; the host answers requests arriving on it. */
  | { type: 'connect'; port: MessagePort }
  /** Forget a stream's waiting windows (the run ended or was aborted). */
  | { type: 'end-stream'; stream: string }
  | { type: 'dispose' };

/** Host → owner. */
export type HostResponse =
  | ({ type: 'opened'; key: number } & RunnerDescription)
  | { type: 'measured'; key: number; bytes: number }
  /** `key` is absent for errors no request caused. */
  | { type: 'error'; key?: number; error: SerializedError }
  | { type: 'disposed' };

/** How a client's requests are batched: see batchWindows.ts. */
export interface StreamSpec {
  /** Names the stream (one evaluation phase); windows are per stream and model. */
  stream: string;
  window: number;
  /** Samples per `session.run`. */
  chunk: number;
  /** Cases in the stream (Infinity with `window: 1` when unknown). */
  cases: number;
}

/** Client → host. Inputs arrive transferred; the host owns them. */
export type ClientRequest =
  | ({ type: 'infer'; ticket: number; model: number; caseIndex: number; inputs: Float32Array[] } & StreamSpec)
  /** Case `caseIndex` has nothing to run for this model (windows wait for every case). */
  | ({ type: 'skip'; model: number; caseIndex: number } & StreamSpec);

/** Host → client. */
export type ClientResponse =
  /** Raw scores of the chosen output, one array per input (transferred), and one sample's dims with a batch axis of 1. */
  | { type: 'scores'; ticket: number; outputs: Float32Array[]; dims: number[] }
  | { type: 'failed'; ticket: number; error: SerializedError };

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
export function transferList(arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}

/** The error a SerializedError describes: InputErrors as InputErrors, others with their name and code. */
export function reviveError(e: SerializedError): Error {
  let err: Error;
  if (e.name === 'InputError' && e.file !== undefined) {
    err = new InputError(e.file, e.message, e.code);
  } else {
    err = new Error(e.message);
    err.name = e.name;
    // ProviderUnavailableError and friends keep their code for callers that branch on it.
    if (e.code !== undefined) Object.assign(err, { code: e.code });
  }
  if (e.stack) err.stack = e.stack;
  return err;
}
