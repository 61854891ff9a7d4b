/**
 * UMAP worker entry (bundled as `dist/umap-worker.js`): one embedding per message, progress
 * posted as it goes, the result's buffers transferred back.
 */
import { parentPort } from 'node:worker_threads';
import { computeEmbedding } from './embedding';
import type { UmapWorkerRequest, UmapWorkerResponse } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('umap worker: not started as a worker thread');

port.on('message', (request: UmapWorkerRequest) => {
  const post = (m: UmapWorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  let last = 0;
  let lastPhase: string | undefined;
  try {
    // At most ten messages a second, but every phase's start and end: the editor shows each phase.
    const result = computeEmbedding(request.input, (phase, fraction) => {
      const now = Date.now();
      if (now - last < 100 && fraction < 1 && phase === lastPhase) return;
      last = now;
      lastPhase = phase;
      post({ type: 'progress', phase, fraction });
    });
    post({ type: 'result', result }, [result.embedding.buffer as ArrayBuffer]);
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
  }
});
