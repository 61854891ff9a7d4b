/**
 * How many case workers an evaluation starts, how many cases each has in flight, and at which
 * priority they run. The cores are shared with inference: onnxruntime's intra-op threads take
 * `runtime.threads` of them when a model runs on CPU; a GPU run needs one thread to feed the GPU;
 * prediction files need no inference at all. With a model on CPU the workers run at low priority
 * (auto): the intra-op threads keep the cores whenever they compute and the workers fill the gaps
 * between runs (onnxruntime's threads do not spin), so inference never waits for them, and there is
 * one worker per core, since how much of the time the gaps take depends on the model: a large U-Net
 * leaves little, small models at the seed's scale leave most of it to the cases (bench/scale.ts
 * 6,000 images, 3 demo models: 1 worker 64–87 images/s, 2 workers 154). At normal priority they
 * take only the cores onnxruntime's threads leave, at least one.
 */
import { availableParallelism } from 'node:os';

/** Where the run's models run: not at all (prediction files only), on CPU, or on a GPU. */
export type InferencePlace = 'none' | 'cpu' | 'gpu';

export interface PoolSizeInput {
  /** runtime.workers (0 or absent = auto). */
  requested: number | 'main' | undefined;
  inference: InferencePlace;
  /** runtime.threads (0 = every core). */
  threads: number;
  cases: number;
  /** The largest batch window of the run's models (windows wait for that many cases in flight). */
  window: number;
  /** Cases in flight on each worker, when the caller fixes it. */
  perWorker?: number;
  /** runtime.worker_priority (absent = auto). */
  priority?: 'auto' | 'low' | 'normal';
  cores?: number;
}

export type WorkerPriority = 'low' | 'normal';

export interface PoolSize {
  workers: number | 'main';
  perWorker: number;
  priority: WorkerPriority;
}

export function poolSize(p: PoolSizeInput): PoolSize {
  const cores = p.cores ?? availableParallelism();
  const threads = p.threads > 0 ? p.threads : cores;
  const priority: WorkerPriority = p.priority === 'low' || p.priority === 'normal' ? p.priority : p.inference === 'cpu' ? 'low' : 'normal';
  let workers: number | 'main';
  if (p.requested === 'main') workers = 'main';
  else if (p.requested !== undefined && p.requested > 0) workers = p.requested;
  else if (p.inference === 'cpu') workers = priority === 'low' ? cores : Math.max(1, cores - threads);
  else if (p.inference === 'gpu') workers = Math.max(1, cores - 1);
  else workers = cores;
  // No more threads than cases to give them.
  if (workers !== 'main') workers = Math.max(1, Math.min(workers, p.cases));
  const count = workers === 'main' ? 1 : workers;
  // A case waiting for inference is the one before the case being decoded: with inference, a third
  // keeps the models fed while a worker post-processes. A window waits for all its cases at once.
  const base = p.perWorker ?? (p.inference === 'none' ? 2 : 3);
  return { workers, perWorker: Math.max(base, Math.ceil((2 * p.window) / count)), priority };
}
