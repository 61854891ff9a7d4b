import type { DatasetCache } from '../datasetCache';

export interface JobContext {
  signal: AbortSignal;
  progress(message: string, fraction?: number): void;
  datasets: DatasetCache;
}
