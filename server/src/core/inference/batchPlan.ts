/**
 * How an evaluation batches a model's samples (batchWindows.ts): windows of cases and samples per
 * `session.run`. `runtime.case_batch: auto` keeps each case alone on CPU, where batching does not
 * raise onnxruntime's throughput (measured: 18.7 ms per image at batch 1, 19.8 at batch 8) and
 * only adds latency and memory; on a GPU it fills a run with as many cases' images as the GPU's
 * memory holds, which is where GPUs earn their speed.
 */
import type { ProviderName } from './providers';

/** The most samples auto puts in one GPU run: beyond this, batches stop paying for their memory. */
export const MAX_AUTO_GPU_BATCH = 64;
/** Share of the GPU's free memory that batches of all the run's models may take together. */
export const GPU_MEMORY_SHARE = 0.5;
/** Assumed free GPU memory when it cannot be read (any GPU that runs WebGPU or CUDA has this much). */
export const ASSUMED_GPU_FREE_BYTES = 2 * 1024 ** 3;

export interface BatchPlanInput {
  provider: ProviderName;
  /** runtime.case_batch. */
  requested: 'auto' | number;
  /** runtime.batch: samples per run within one case (a volume's slices). */
  withinCase: number;
  /** The graph's fixed batch, when it has one: every run takes exactly that many. */
  fixedBatch?: number;
  /** Whether some case is a 3D volume (many samples per case): windows are then one case. */
  volumes: boolean;
  /** activationBytes() of one sample (needed for auto on a GPU). */
  sampleBytes?: number;
  /** Free memory of the GPU; undefined when it cannot be read. */
  deviceFreeBytes?: number;
  /** ONNX models of the run: they share the GPU. */
  models: number;
}

export interface BatchPlan {
  window: number;
  chunk: number;
  /** Why, in words (summary.json `provider.batching`). */
  reason: string;
}

const MB = 1024 ** 2;

export function planBatches(p: BatchPlanInput): BatchPlan {
  const windowOf = (n: number) => (p.volumes ? 1 : n);
  if (p.fixedBatch !== undefined) {
    const window = p.requested === 'auto' && p.provider === 'cpu' ? 1 : windowOf(p.fixedBatch);
    return { window, chunk: p.fixedBatch, reason: `the graph's batch is fixed at ${p.fixedBatch}` };
  }
  if (p.requested !== 'auto') {
    return { window: windowOf(p.requested), chunk: p.requested, reason: `runtime.case_batch: ${p.requested}` };
  }
  if (p.provider === 'cpu') {
    return { window: 1, chunk: Math.max(1, p.withinCase), reason: 'CPU: each case runs alone (batching does not raise CPU throughput)' };
  }
  const free = p.deviceFreeBytes ?? ASSUMED_GPU_FREE_BYTES;
  const budget = (GPU_MEMORY_SHARE * free) / Math.max(1, p.models);
  const sample = Math.max(1, p.sampleBytes ?? budget);
  const chunk = Math.max(1, Math.min(MAX_AUTO_GPU_BATCH, Math.floor(budget / sample)));
  const freeText = p.deviceFreeBytes === undefined ? `${(free / MB).toFixed(0)} MB assumed free (the GPU's memory could not be read)` : `${(free / MB).toFixed(0)} MB free`;
  return {
    window: windowOf(chunk),
    chunk,
    reason: `${p.provider}: ${(sample / MB).toFixed(1)} MB of activations per sample, ${freeText}, ${(GPU_MEMORY_SHARE * 100).toFixed(0)} % shared by ${p.models} model(s)${chunk === MAX_AUTO_GPU_BATCH ? ` (at most ${MAX_AUTO_GPU_BATCH})` : ''}`,
  };
}
