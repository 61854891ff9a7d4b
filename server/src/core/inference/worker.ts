/**
 * The inference host (bundled as `dist/inference-worker.js`): one thread that owns every ONNX
 * session of a run, so that `session.run()`, which blocks its thread, blocks neither the language
 * server nor the case workers, and so that sessions never run two at a time (on CPU the intra-op
 * threads are then the only inference threads; on a GPU one queue feeds it).
 *
 * Clients (the case workers) send preprocessed inputs over their own MessagePorts, transferred;
 * the host batches them by case windows (batchWindows.ts), runs each batch and sends every case
 * its raw scores, transferred. Turning scores into probabilities, resizing and encoding happen in
 * the clients, so the next batch runs while the clients post-process the last one.
 */
import { readFile } from 'node:fs/promises';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { InputError } from '../findings';
import { activationBytes } from './activationBytes';
import { WindowBatcher, type PlannedBatch } from './batchWindows';
import { ModelRunner } from './runner';
import { serializeError, transferList, type ClientRequest, type ClientResponse, type HostRequest, type HostResponse } from './workerProtocol';

const owner = parentPort;
if (!owner) throw new Error('inference worker: not started as a worker thread');

/** A client request waiting for its scores. */
interface Waiting {
  port: MessagePort;
  ticket: number;
  outputs: (Float32Array | undefined)[];
  remaining: number;
  dims?: number[];
  failed: boolean;
}

interface Job {
  model: number;
  batch: PlannedBatch<Waiting>;
}

const runners = new Map<number, ModelRunner>();
const batchers = new Map<string, WindowBatcher<Waiting>>();
const endedStreams = new Set<string>();
const jobs: Job[] = [];
let pumping = false;
let ownerQueue: Promise<void> = Promise.resolve();

function toOwner(message: HostResponse): void {
  owner!.postMessage(message);
}

function reply(port: MessagePort, message: ClientResponse, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function fail(w: Waiting, err: unknown): void {
  if (w.failed) return;
  w.failed = true;
  reply(w.port, { type: 'failed', ticket: w.ticket, error: serializeError(err) });
}

async function handleOwner(request: HostRequest): Promise<void> {
  switch (request.type) {
    case 'open':
      try {
        const runner = await ModelRunner.create(request.model, request.runtime);
        runners.set(request.key, runner);
        toOwner({ type: 'opened', key: request.key, ...runner.description });
      } catch (err) {
        toOwner({ type: 'error', key: request.key, error: serializeError(err) });
      }
      return;
    case 'measure':
      try {
        const runner = runners.get(request.key);
        if (!runner?.model.path) throw new Error(`inference worker: no model ${request.key} to measure`);
        toOwner({ type: 'measured', key: request.key, bytes: await activationBytes(await readFile(runner.model.path), runner.input) });
      } catch (err) {
        toOwner({ type: 'error', key: request.key, error: serializeError(err) });
      }
      return;
    case 'dispose':
      for (const r of runners.values()) await r.dispose().catch(() => undefined);
      runners.clear();
      toOwner({ type: 'disposed' });
      owner!.close();
      return;
    default:
      return;
  }
}

function onClientRequest(port: MessagePort, m: ClientRequest): void {
  if (endedStreams.has(m.stream)) return; // an aborted run's stragglers
  const runner = runners.get(m.model);
  const waiting: Waiting | undefined = m.type === 'infer' ? { port, ticket: m.ticket, outputs: new Array(m.inputs.length), remaining: m.inputs.length, failed: false } : undefined;
  let inputs: Float32Array[] = [];
  try {
    if (!runner) throw new Error(`inference worker: model ${m.model} is not open`);
    if (m.type === 'infer') {
      for (const x of m.inputs) runner.checkSample(x);
      inputs = m.inputs;
    }
  } catch (err) {
    // A request that cannot run fails alone; its case still counts for its window.
    if (waiting) fail(waiting, err);
    inputs = [];
  }
  const key = `${m.stream}\0${m.model}`;
  let batcher = batchers.get(key);
  if (!batcher) batchers.set(key, (batcher = new WindowBatcher<Waiting>(m.window, m.chunk, m.cases)));
  let ready: PlannedBatch<Waiting>[];
  try {
    ready = batcher.offer(m.caseIndex, inputs, inputs.length > 0 ? waiting : undefined);
  } catch (err) {
    // A case offered twice is a bug of the client: say so loudly to the request (or the owner).
    if (waiting) fail(waiting, err);
    else toOwner({ type: 'error', error: serializeError(err) });
    return;
  }
  if (waiting && !waiting.failed && m.type === 'infer' && m.inputs.length === 0) reply(port, { type: 'scores', ticket: waiting.ticket, outputs: [], dims: [] });
  for (const batch of ready) jobs.push({ model: m.model, batch });
  void pump();
}

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (let job = jobs.shift(); job; job = jobs.shift()) await runJob(job);
  } finally {
    pumping = false;
  }
}

function concat(inputs: readonly Float32Array[]): Float32Array {
  if (inputs.length === 1) return inputs[0];
  const n = inputs[0].length;
  const data = new Float32Array(inputs.length * n);
  inputs.forEach((x, k) => data.set(x, k * n));
  return data;
}

/** Sends each waiting request the scores of its samples in this batch; answers the complete ones. */
function deliver(parts: PlannedBatch<Waiting>['parts'], scores: Float32Array, dims: readonly number[]): void {
  const stride = scores.length / dims[0];
  const sampleDims = [1, ...dims.slice(1)];
  for (const p of parts) {
    const w = p.tag;
    if (w.failed) continue;
    for (let s = 0; s < p.count; s++) w.outputs[p.first + s] = scores.slice((p.at + s) * stride, (p.at + s + 1) * stride);
    w.dims = sampleDims;
    w.remaining -= p.count;
    if (w.remaining === 0) {
      const outputs = w.outputs as Float32Array[];
      reply(w.port, { type: 'scores', ticket: w.ticket, outputs, dims: sampleDims }, transferList(outputs));
    }
  }
}

async function runJob(job: Job): Promise<void> {
  const { parts, inputs } = job.batch;
  if (parts.every((p) => p.tag.failed)) return;
  const runner = runners.get(job.model);
  if (!runner) {
    for (const p of parts) fail(p.tag, new Error(`inference worker: model ${job.model} was closed`));
    return;
  }
  try {
    const { scores, dims } = await runner.runScores(concat(inputs), inputs.length);
    deliver(parts, scores, dims);
  } catch (err) {
    if (inputs.length === 1 || !(err instanceof InputError)) {
      for (const p of parts) fail(p.tag, err);
      return;
    }
    // One batch failing (memory, an input that breaks a kernel) fails only the samples that fail alone.
    for (const p of parts) {
      for (let s = 0; s < p.count && !p.tag.failed; s++) {
        try {
          const { scores, dims } = await runner.runScores(inputs[p.at + s], 1);
          deliver([{ tag: p.tag, first: p.first + s, count: 1, at: 0 }], scores, dims);
        } catch (single) {
          fail(p.tag, single);
        }
      }
    }
  }
}

owner.on('message', (request: HostRequest) => {
  if (request.type === 'connect') {
    const port = request.port;
    port.on('message', (m: ClientRequest) => onClientRequest(port, m));
    return;
  }
  if (request.type === 'end-stream') {
    endedStreams.add(request.stream);
    for (const key of [...batchers.keys()]) if (key.startsWith(`${request.stream}\0`)) batchers.delete(key);
    return;
  }
  ownerQueue = ownerQueue.then(() => handleOwner(request));
});
