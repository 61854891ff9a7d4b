/**
 * Runs `computeEmbedding` in a worker thread, so a language server stays responsive during the
 * seconds a large map takes; progress arrives as messages and an abort terminates the worker.
 * The worker is `umap-worker.js` beside the bundle, else `worker.ts` beside this file (tests and
 * scripts through tsx); with neither, the embedding runs on the caller's thread.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { computeEmbedding, type EmbeddingInput, type EmbeddingPhase, type EmbeddingResult } from './embedding';
import type { UmapWorkerRequest, UmapWorkerResponse } from './workerProtocol';

export function umapWorkerScript(): string | undefined {
  const bundled = join(__dirname, 'umap-worker.js');
  if (existsSync(bundled)) return bundled;
  const source = join(__dirname, 'worker.ts');
  return existsSync(source) ? source : undefined;
}

/** Same bootstrap as the inference worker: tsx's require hook for a `.ts` entry on Node 20. */
function startWorker(script: string): Worker {
  if (!script.endsWith('.ts')) return new Worker(script);
  const tsxHook = createRequire(script).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsxHook)}); require(${JSON.stringify(script)});`, { eval: true });
}

export interface RunEmbeddingOptions {
  signal?: AbortSignal;
  onProgress?: (phase: EmbeddingPhase, fraction: number) => void;
  /** false: compute on this thread (default: a worker when its script exists). */
  worker?: boolean;
  /**
   * Hand `input.data`'s buffer to the worker instead of a copy (it is unusable here afterwards):
   * a 60,000 × 768 feature matrix is 184 MB that need not exist twice.
   */
  transfer?: boolean;
}

export async function runEmbedding(input: EmbeddingInput, options: RunEmbeddingOptions = {}): Promise<EmbeddingResult> {
  options.signal?.throwIfAborted();
  const script = options.worker === false ? undefined : umapWorkerScript();
  if (!script) return computeEmbedding(input, options.onProgress);
  const worker = startWorker(script);
  try {
    return await new Promise<EmbeddingResult>((resolve, reject) => {
      const onAbort = () => reject(options.signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => options.signal?.removeEventListener('abort', onAbort);
      worker.on('message', (m: UmapWorkerResponse) => {
        if (m.type === 'progress') options.onProgress?.(m.phase, m.fraction);
        else if (m.type === 'result') {
          settle();
          resolve(m.result);
        } else {
          settle();
          const err = new Error(m.message);
          if (m.stack) err.stack = m.stack;
          reject(err);
        }
      });
      worker.on('error', (err) => {
        settle();
        reject(err);
      });
      worker.on('exit', (code) => {
        settle();
        reject(new Error(`umap worker exited (code ${code}) before answering`));
      });
      const request: UmapWorkerRequest = { type: 'embed', input: { ...input, data: options.transfer ? input.data : input.data.slice() } };
      worker.postMessage(request, [request.input.data.buffer as ArrayBuffer]);
    });
  } finally {
    await worker.terminate();
  }
}
