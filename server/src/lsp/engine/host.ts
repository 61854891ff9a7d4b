/**
 * The main thread's handle on an engine worker: runs jobs there with progress and cancellation,
 * and restarts the worker when it dies, so one crashing job never takes the server down.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromWorker, JobKind, JobParams, JobResults, SerializedError, ToWorker } from './protocol';

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (message: string, fraction?: number) => void;
}

export type EngineLog = (level: 'info' | 'warn' | 'error', message: string) => void;

interface PendingJob {
  resolve(value: unknown): void;
  reject(err: unknown): void;
  onProgress?: JobOptions['onProgress'];
}

/** Which worker: `runs` (every job kind, `lsp-worker.js`) or `checks` (validation only, `lsp-checks-worker.js`). */
export type WorkerEntry = 'runs' | 'checks';

const ENTRIES: Record<WorkerEntry, { bundle: string; source: string }> = {
  runs: { bundle: 'lsp-worker.js', source: 'worker.ts' },
  checks: { bundle: 'lsp-checks-worker.js', source: 'checksWorker.ts' },
};

/** The worker's entry: its bundle beside this one, else the TypeScript source (tsx). */
export function engineWorkerScript(entry: WorkerEntry = 'runs'): string {
  const bundled = join(__dirname, ENTRIES[entry].bundle);
  if (existsSync(bundled)) return bundled;
  const source = join(__dirname, ENTRIES[entry].source);
  if (existsSync(source)) return source;
  throw new Error(`language server worker not found: neither ${bundled} nor ${source} exists; rebuild with \`npm run build\``);
}

export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export class JobFailedError extends Error {
  constructor(
    readonly serialized: SerializedError,
  ) {
    super(serialized.message);
    this.name = serialized.name;
    if (serialized.stack) this.stack = serialized.stack;
  }

  get code(): string | undefined {
    return this.serialized.code;
  }
}

export class EngineWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, PendingJob>();
  private nextId = 1;
  private disposed = false;

  constructor(
    readonly name: string,
    private readonly log: EngineLog,
    private readonly options: { script?: () => string; beforeStart?: () => void } = {},
  ) {}

  /** Starts the worker now (its first job then does not pay the start-up). */
  start(): void {
    this.ensureWorker();
  }

  get busy(): number {
    return this.pending.size;
  }

  run<K extends JobKind>(kind: K, params: JobParams[K], options: JobOptions = {}): Promise<JobResults[K]> {
    if (this.disposed) return Promise.reject(new Error(`${this.name} worker is shut down`));
    if (options.signal?.aborted) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<JobResults[K]>((resolve, reject) => {
      const onAbort = () => {
        this.post({ type: 'cancel', id });
        // The caller moves on at once; the worker stops at its next check and its answer is dropped.
        this.pending.delete(id);
        reject(new CancelledError());
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => options.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v as JobResults[K]);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        onProgress: options.onProgress,
      });
      worker.postMessage({ type: 'job', id, kind, params } satisfies ToWorker);
    });
  }

  dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error(`${this.name} worker is shut down`));
    return worker ? worker.terminate().then(() => undefined) : Promise.resolve();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.options.beforeStart?.();
    const script = (this.options.script ?? engineWorkerScript)();
    // stdout/stderr are captured: on the stdio transport the process's stdout is the protocol
    // stream, and a native library printing from the worker must not corrupt it.
    const options = { stdout: true, stderr: true } as const;
    const worker = script.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(createRequire(script).resolve('tsx/cjs'))}); require(${JSON.stringify(script)});`, { ...options, eval: true })
      : new Worker(script, options);
    worker.stdout.on('data', (chunk: Buffer) => this.log('info', `[${this.name}] ${chunk.toString().trimEnd()}`));
    worker.stderr.on('data', (chunk: Buffer) => this.log('warn', `[${this.name}] ${chunk.toString().trimEnd()}`));
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => this.log('error', `${this.name} worker failed: ${err.stack ?? err.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!this.disposed) this.log('warn', `${this.name} worker exited (code ${code}); it restarts with the next job`);
      this.failAll(new Error(`the ${this.name} worker stopped unexpectedly (exit code ${code})`));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const job of jobs) job.reject(err);
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'log') {
      this.log(m.level, `[${this.name}] ${m.message}`);
      return;
    }
    const job = this.pending.get(m.id);
    if (!job) return;
    if (m.type === 'progress') {
      job.onProgress?.(m.message, m.fraction);
      return;
    }
    this.pending.delete(m.id);
    if (m.type === 'result') job.resolve(m.value);
    else job.reject(m.error.cancelled ? new CancelledError(m.error.message) : new JobFailedError(m.error));
  }
}
