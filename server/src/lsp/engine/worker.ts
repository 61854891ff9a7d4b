/**
 * Entry of the language server's engine worker (`dist/lsp-worker.js`): runs validation,
 * evaluation and previews off the main thread, one job per message, each cancellable.
 */
import { parentPort } from 'node:worker_threads';
import { format } from 'node:util';
import { InputError } from '../../core/findings';
import { toWriteError, WriteError } from '../../core/io/writeErrors';
import { DatasetCache } from './datasetCache';
import { imagesJob, previewJob } from './jobs/browse';
import type { JobContext } from './jobs/context';
import { evaluateJob } from './jobs/evaluate';
import { explainSectionJob } from './jobs/explainSection';
import { stressJob } from './jobs/explainStress';
import { generateSplitJob } from './jobs/generateSplit';
import { thumbnailJob, umapJob } from './jobs/umap';
import { validateJob } from './jobs/validate';
import { JobError, type FromWorker, type JobKind, type JobParams, type JobResults, type SerializedError, type ToWorker } from './protocol';

type Handler<K extends JobKind> = (params: JobParams[K], ctx: JobContext) => Promise<JobResults[K]>;

const handlers: { [K in JobKind]: Handler<K> } = {
  validate: validateJob,
  evaluate: evaluateJob,
  images: imagesJob,
  preview: previewJob,
  generateSplit: generateSplitJob,
  umap: umapJob,
  thumbnail: thumbnailJob,
  stress: stressJob,
  explainSection: explainSectionJob,
};

const port = parentPort;
const running = new Map<number, AbortController>();
const datasets = new DatasetCache();

function post(message: FromWorker): void {
  port?.postMessage(message);
}

// Anything a library prints goes to the client's log, never to the protocol stream.
for (const [method, level] of [['log', 'info'], ['info', 'info'], ['warn', 'warn'], ['error', 'error']] as const) {
  console[method] = (...args: unknown[]) => post({ type: 'log', level, message: format(...args) });
}

process.on('uncaughtException', (err) => post({ type: 'log', level: 'error', message: `uncaught: ${err.stack ?? err.message}` }));
process.on('unhandledRejection', (err) => post({ type: 'log', level: 'error', message: `unhandled rejection: ${(err as Error)?.stack ?? String(err)}` }));

function serialize(err: unknown, cancelled: boolean): SerializedError {
  if (cancelled) return { name: 'CancelledError', message: 'cancelled', cancelled: true };
  if (err instanceof JobError || err instanceof InputError) return { name: err.name, message: err.message, code: err.code };
  // A destination that cannot be written (read-only, full): path, cause and fix, no stack.
  const write = toWriteError(err);
  if (write instanceof WriteError) return { name: write.name, message: write.message, code: write.code };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack, ...('code' in err && typeof err.code === 'string' ? { code: err.code } : {}) };
  return { name: 'Error', message: String(err) };
}

async function runJob(id: number, kind: JobKind, params: unknown): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  const ctx: JobContext = {
    signal: controller.signal,
    progress: (message, fraction) => post({ type: 'progress', id, message, ...(fraction !== undefined ? { fraction } : {}) }),
    datasets,
  };
  try {
    const handler = handlers[kind] as Handler<JobKind>;
    if (!handler) throw new Error(`unknown job kind ${kind}`);
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
