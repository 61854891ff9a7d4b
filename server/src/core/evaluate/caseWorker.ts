/**
 * Case worker thread (bundled as `dist/case-worker.js`): runs a CaseRunner for the scheduler in
 * casePool.ts. Everything a case costs besides inference — decoding, metric kernels, fusion and
 * STAPLE, error maps, PNG encoding, hashing, writes — happens here, so an evaluation uses every
 * core the inference leaves free.
 */
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '../util/threadPriority';
import { CaseRunner } from './caseRunner';
import { serializeRunError, totalsTransferList, type PoolRequest, type PoolResponse } from './caseWorkerProtocol';

/** The nice value of a low-priority case worker: a tenth of a normal thread's share under contention (Linux CFS weights 110 vs 1024). */
const LOW_PRIORITY_NICE = 10;

const port = parentPort;
if (!port) throw new Error('case worker: not started as a worker thread');

function send(message: PoolResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

const runner = new CaseRunner({
  outcome: (index, outcome) => send({ type: 'outcome', index, outcome }),
  failed: (index, error) => send({ type: 'failed', index, error }),
});

async function finished(totals: Promise<Awaited<ReturnType<CaseRunner['finish']>> | undefined>): Promise<void> {
  const t = (await totals) ?? { pooled: {}, inferences: {} };
  send({ type: 'finished', ...t }, totalsTransferList(t));
}

port.on('message', (m: PoolRequest) => {
  try {
    switch (m.type) {
      case 'begin':
        // Below onnxruntime's intra-op threads, which then keep the cores while they compute.
        if (m.lowPriority) lowerThreadPriority(LOW_PRIORITY_NICE);
        runner.begin(m.spec, m.port);
        return;
      case 'phase':
        runner.startPhase(m.phase);
        return;
      case 'case':
        runner.submit(m.index, m.case);
        return;
      case 'finish':
        void finished(runner.finish()).catch((err: unknown) => send({ type: 'failed', index: -1, error: serializeRunError(err) }));
        return;
      case 'abort':
        void finished(runner.abort()).catch((err: unknown) => send({ type: 'failed', index: -1, error: serializeRunError(err) }));
        return;
      case 'end':
        runner.end();
        return;
    }
  } catch (err) {
    send({ type: 'failed', index: -1, error: serializeRunError(err) });
  }
});

send({ type: 'ready' });
