/**
 * The job loop of an engine worker: one job per message, each with its own AbortController,
 * progress posted back, errors serialised for the main thread. Shared by the checks worker
 * (`lsp-checks-worker.js`: validation only, so it starts fast) and the runs worker
 * (`lsp-worker.js`: everything).
 */
import { parentPort } from 'node:worker_threads';
import { format } from 'node:util';
import { InputError } from '../../core/findings';
import { toWriteError, WriteError } from '../../core/io/writeErrors';
import { DatasetCache } from './datasetCache';
import type { JobContext } from './jobs/context';
import { JobError, type FromWorker, type JobKind, type JobParams, type JobResults, type SerializedError, type ToWorker } from './protocol';

export type JobHandler<K extends JobKind> = (params: JobParams[K], ctx: JobContext) => Promise<JobResults[K]>;
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

export function runWorker(handlers: JobHandlers): void {
  const port = parentPort;
  const running = new Map<number, AbortController>();
  const datasets = new DatasetCache();
  const post = (message: FromWorker): void => {
    port?.postMessage(message);
  };

  // Anything a library prints goes to the client's log, never to the protocol stream.
  for (const [method, level] of [['log', 'info'], ['info', 'info'], ['warn', 'warn'], ['error', 'error']] as const) {
    console[method] = (...args: unknown[]) => post({ type: 'log', level, message: format(...args) });
  }

  process.on('uncaughtException', (err) => post({ type: 'log', level: 'error', message: `uncaught: ${err.stack ?? err.message}` }));
  process.on('unhandledRejection', (err) => post({ type: 'log', level: 'error', message: `unhandled rejection: ${(err as Error)?.stack ?? String(err)}` }));

  async function runJob(id: number, kind: JobKind, params: unknown): Promise<void> {
    const controller = new AbortController();
    running.set(id, controller);
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (message, fraction) => post({ type: 'progress', id, message, ...(fraction !== undefined ? { fraction } : {}) }),
      datasets,
    };
    try {
      const handler = handlers[kind] as JobHandler<JobKind> | undefined;
      if (!handler) throw new Error(`this worker does not run ${kind} jobs`);
      const value = await handler(params as JobParams[JobKind], ctx);
      post({ type: 'result', id, value });
    } catch (err) {
      post({ type: 'error', id, error: serialize(err, controller.signal.aborted) });
    } finally {
      running.delete(id);
    }
  }

  port?.on('message', (m: ToWorker) => {
    if (m.type === 'cancel') running.get(m.id)?.abort();
    else if (m.type === 'job') void runJob(m.id, m.kind, m.params);
  });
}

function serialize(err: unknown, cancelled: boolean): SerializedError {
  if (cancelled) return { name: 'CancelledError', message: 'cancelled', cancelled: true };
  if (err instanceof JobError || err instanceof InputError) return { name: err.name, message: err.message, code: err.code };
  // A destination that cannot be written (read-only, full): path, cause and fix, no stack.
  const write = toWriteError(err);
  if (write instanceof WriteError) return { name: write.name, message: write.message, code: write.code };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack, ...('code' in err && typeof err.code === 'string' ? { code: err.code } : {}) };
  return { name: 'Error', message: String(err) };
}
