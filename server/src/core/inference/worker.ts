/**
 * Worker-thread entry (bundled as `dist/inference-worker.js`): owns one `ModelRunner`, so that
 * `session.run()`, which blocks its thread, never blocks the language server's event loop.
 * Requests are answered in order; buffers travel as transfers, not copies.
 */
import { parentPort } from 'node:worker_threads';
import { ModelRunner } from './runner';
import { serializeError, transferList, type WorkerRequest, type WorkerResponse } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('inference worker: not started as a worker thread');

let runner: ModelRunner | undefined;
let queue: Promise<void> = Promise.resolve();

function reply(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'init':
      try {
        runner = await ModelRunner.create(request.model, request.runtime);
        reply({ type: 'ready', ...runner.description });
      } catch (err) {
        reply({ type: 'error', error: serializeError(err) });
      }
      return;
    case 'run':
      try {
        if (!runner) throw new Error('inference worker: run before init');
        const outputs = await runner.run(request.inputs);
        reply({ type: 'result', id: request.id, outputs }, transferList(outputs));
      } catch (err) {
        reply({ type: 'error', id: request.id, error: serializeError(err) });
      }
      return;
    case 'dispose':
      await runner?.dispose().catch(() => undefined);
      runner = undefined;
      reply({ type: 'disposed' });
      port!.close();
      return;
  }
}

port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => handle(request));
});
