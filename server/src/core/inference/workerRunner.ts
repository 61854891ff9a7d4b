/**
 * `ModelRunner` in a worker thread, with the same `run`/`predict` API: preprocessing and
 * postprocessing stay on the caller's thread (milliseconds), the session runs in the worker.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelConfig } from '../config/types';
import { InputError } from '../findings';
import type { ImageVolume } from '../io/types';
import type { ModelInfo } from '../onnx';
import { predictImage, throwIfAborted, type PredictOptions, type Prediction, type ReferenceSize, type ResolvedModelInput } from './predict';
import type { ProviderAttempt, ProviderName } from './providers';
import type { RunnerDescription, RunnerSettings } from './runner';
import { transferList, type SerializedError, type WorkerRequest, type WorkerResponse } from './workerProtocol';

/**
 * The worker's entry file: `inference-worker.js` beside the bundle (esbuild puts the bundles in
 * `dist/`), else the TypeScript source beside this module (tests and scripts run through tsx).
 */
export function workerScriptPath(): string {
  const bundled = join(__dirname, 'inference-worker.js');
  if (existsSync(bundled)) return bundled;
  const source = join(__dirname, 'worker.ts');
  if (existsSync(source)) return source;
  throw new Error(`inference worker not found: neither ${bundled} nor ${source} exists; rebuild with \`npm run build\``);
}

/**
 * Starts the worker. A `.ts` entry is loaded through tsx's require hook from a small eval
 * bootstrap: on Node 20, `execArgv: ['--import', 'tsx']` registers tsx's hooks too late for a
 * worker's entry module (ERR_UNKNOWN_FILE_EXTENSION).
 */
function startWorker(script: string): Worker {
  if (!script.endsWith('.ts')) return new Worker(script);
  const tsxHook = createRequire(script).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsxHook)}); require(${JSON.stringify(script)});`, { eval: true });
}

function reviveError(e: SerializedError): Error {
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

interface Pending {
  resolve(outputs: Float32Array[]): void;
  reject(err: unknown): void;
}

export class WorkerModelRunner implements RunnerDescription {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private disposed = false;

  private constructor(
    private readonly worker: Worker,
    readonly model: ModelConfig,
    readonly info: ModelInfo,
    readonly input: ResolvedModelInput,
    readonly provider: ProviderName,
    readonly attempts: ProviderAttempt[],
    readonly batchSize: number,
    readonly outputName: string,
    readonly warnings: { code: string; message: string }[],
  ) {
    worker.on('message', (m: WorkerResponse) => this.onMessage(m));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`inference worker for model ${model.name} exited (code ${code})`)));
    worker.unref();
  }

  /** Starts a worker that opens the model's session; resolves once it is ready. */
  static async create(model: ModelConfig, runtime: RunnerSettings, signal?: AbortSignal): Promise<WorkerModelRunner> {
    throwIfAborted(signal);
    const worker = startWorker(workerScriptPath());
    // Listeners are removed one by one: removeAllListeners() would also drop the hooks with which
    // a Worker keeps its message port referenced, and replies would stop arriving.
    // Worker.on has one overload per event; one listener type for all three needs `any`.
    type Listener = (...args: any[]) => void;
    const listeners: [event: 'message' | 'error' | 'exit', fn: Listener][] = [];
    const listen = (event: 'message' | 'error' | 'exit', fn: Listener) => {
      worker.on(event, fn);
      listeners.push([event, fn]);
    };
    let onAbort: (() => void) | undefined;
    try {
      const ready = await new Promise<RunnerDescription>((resolve, reject) => {
        listen('message', (m: WorkerResponse) => {
          if (m.type === 'ready') resolve(m);
          else if (m.type === 'error') reject(reviveError(m.error));
        });
        listen('error', reject);
        listen('exit', (code: number) => reject(new Error(`inference worker for model ${model.name} exited during start (code ${code})`)));
        onAbort = () => reject(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
        signal?.addEventListener('abort', onAbort, { once: true });
        const init: WorkerRequest = { type: 'init', model, runtime };
        worker.postMessage(init);
      });
      return new WorkerModelRunner(worker, model, ready.info, ready.input, ready.provider, ready.attempts, ready.batchSize, ready.outputName, ready.warnings);
    } catch (err) {
      await worker.terminate();
      throw err;
    } finally {
      for (const [event, fn] of listeners) worker.off(event, fn);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * As `ModelRunner.run`. The inputs' buffers are transferred to the worker: the arrays are
   * empty (detached) afterwards.
   */
  run(inputs: Float32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.disposed) return Promise.reject(new Error(`model ${this.model.name}: the runner was disposed`));
    throwIfAborted(signal);
    const id = this.nextId++;
    return new Promise<Float32Array[]>((resolve, reject) => {
      const onAbort = () => {
        // The worker finishes the batch it has; its answer is dropped.
        this.settle(id);
        reject(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (outputs) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(outputs);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
      this.worker.ref();
      const request: WorkerRequest = { type: 'run', id, inputs };
      this.worker.postMessage(request, transferList(inputs));
    });
  }

  predict(image: ImageVolume, refSize?: ReferenceSize, options?: PredictOptions): Promise<Prediction> {
    return predictImage(
      {
        modelName: this.model.name,
        modelFile: this.model.path ?? `model ${this.model.name}`,
        input: this.input,
        output: this.model.output,
        batchSize: this.batchSize,
        run: (inputs, signal) => this.run(inputs, signal),
      },
      image,
      refSize,
      options,
    );
  }

  /** Releases the session and ends the worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.failure) {
      const done = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      const request: WorkerRequest = { type: 'dispose' };
      this.worker.ref();
      this.worker.postMessage(request);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
      await Promise.race([done, timeout]);
    }
    await this.worker.terminate();
    this.failAll(new Error(`model ${this.model.name}: the runner was disposed`));
  }

  private onMessage(m: WorkerResponse): void {
    if (m.type === 'result') this.settle(m.id)?.resolve(m.outputs);
    else if (m.type === 'error' && m.id !== undefined) this.settle(m.id)?.reject(reviveError(m.error));
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return p;
  }

  private fail(err: Error): void {
    if (this.disposed) return;
    this.failure ??= err;
    this.failAll(err);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
