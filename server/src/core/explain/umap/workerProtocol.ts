/** Messages between `runEmbedding` (caller's thread) and the UMAP worker. */
import type { EmbeddingInput, EmbeddingPhase, EmbeddingResult } from './embedding';

export type UmapWorkerRequest = { type: 'embed'; input: EmbeddingInput };

export type UmapWorkerResponse =
  | { type: 'progress'; phase: EmbeddingPhase; fraction: number }
  | { type: 'result'; result: EmbeddingResult }
  | { type: 'error'; message: string; stack?: string };
