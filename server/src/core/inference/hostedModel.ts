/**
 * A model whose session lives in the inference host (worker.ts), seen from any thread that holds
 * a port to it: a case worker, or the host's owner. Preprocessing happens here, on the caller's
 * thread; the inputs travel to the host by transfer, the raw scores come back by transfer, and the
 * activation, resizing and thresholding happen here again — so the host thread only runs sessions.
 */
import { threadId, type MessagePort } from 'node:worker_threads';
import type { ModelConfig } from '../config/types';
import type { ImageVolume } from '../io/types';
import { scoresToProbability, type ScoreSource } from './postprocess';
import { predictImage, predictProbabilities, throwIfAborted, type PredictionContext, type PredictOptions, type Prediction, type Probabilities, type ReferenceSize } from './predict';
import type { RunnerDescription } from './runner';
import { reviveError, transferList, type ClientRequest, type ClientResponse, type StreamSpec } from './workerProtocol';

interface Pending {
  resolve(result: { outputs: Float32Array[]; dims: number[] }): void;
  reject(err: unknown): void;
}

/** One thread's end of a channel to the inference host; shared by every model it runs. */
export class HostConnection {
  private readonly pending = new Map<number, Pending>();
  private nextTicket = 1;
  private failure: Error | undefined;

  constructor(private readonly port: MessagePort) {
    port.on('message', (m: ClientResponse) => this.onMessage(m));
    port.on('close', () => this.failAll(new Error('the inference worker ended')));
    // An idle connection does not keep its thread (or the process) alive.
    port.unref();
  }

  /** Sends inputs (transferred: the arrays are empty afterwards) and resolves with their raw scores. */
  infer(model: number, spec: StreamSpec, caseIndex: number, inputs: Float32Array[], signal?: AbortSignal): Promise<{ outputs: Float32Array[]; dims: number[] }> {
    if (this.failure) return Promise.reject(this.failure);
    throwIfAborted(signal);
    const ticket = this.nextTicket++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // The host still runs the batch; its answer is dropped.
        this.settle(ticket);
        reject(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(ticket, {
        resolve: (r) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
      this.port.ref();
      const request: ClientRequest = { type: 'infer', ticket, model, caseIndex, inputs, ...spec };
      this.port.postMessage(request, transferList(inputs));
    });
  }

  /** Case `caseIndex` brings nothing for `model` (its window need not wait for it). */
  skip(model: number, spec: StreamSpec, caseIndex: number): void {
    if (this.failure) return;
    const request: ClientRequest = { type: 'skip', model, caseIndex, ...spec };
    this.port.postMessage(request);
  }

  close(): void {
    this.failAll(new Error('the connection to the inference worker was closed'));
    this.port.close();
  }

  private onMessage(m: ClientResponse): void {
    if (m.ticket < 0) {
      this.failAll(reviveError(m.type === 'failed' ? m.error : { name: 'Error', message: 'inference worker: unexpected answer' }));
      return;
    }
    const p = this.settle(m.ticket);
    if (!p) return;
    if (m.type === 'scores') p.resolve({ outputs: m.outputs, dims: m.dims });
    else p.reject(reviveError(m.error));
  }

  private settle(ticket: number): Pending | undefined {
    const p = this.pending.get(ticket);
    this.pending.delete(ticket);
    if (this.pending.size === 0) this.port.unref();
    return p;
  }

  private failAll(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.port.unref();
  }
}

/** What a client needs to know of a hosted model: its host key and what the host said when it opened it. */
export interface HostedModelSpec {
  key: number;
  model: ModelConfig;
  description: RunnerDescription;
}

let directStreams = 0;

export class HostedModel {
  /** Cases that sent this model something in this stream (the others are skipped when settled). */
  private readonly sent = new Set<number>();
  private nextDirectCase = 0;
  private readonly scoreSource: ScoreSource;

  /** `stream` absent: calls of `run`/`predict` outside an evaluation, each on its own (window 1). */
  constructor(
    private readonly connection: HostConnection,
    readonly spec: HostedModelSpec,
    private readonly stream: StreamSpec = { stream: `direct-${threadId}-${++directStreams}`, window: 1, chunk: spec.description.batchSize, cases: Infinity },
  ) {
    const d = spec.description;
    this.scoreSource = { modelName: spec.model.name, modelFile: spec.model.path ?? `model ${spec.model.name}`, output: spec.model.output, layout: d.input.layout, size: d.input.size };
  }

  get description(): RunnerDescription {
    return this.spec.description;
  }

  /**
   * Probability maps at the model size for preprocessed inputs (transferred). `caseIndex`: the
   * evaluation case the inputs belong to (windows batch by it); absent outside an evaluation.
   */
  async run(inputs: Float32Array[], signal?: AbortSignal, caseIndex?: number): Promise<Float32Array[]> {
    const index = caseIndex ?? this.nextDirectCase++;
    if (caseIndex !== undefined) this.sent.add(caseIndex);
    const { outputs, dims } = await this.connection.infer(this.spec.key, this.stream, index, inputs, signal);
    return outputs.map((scores) => scoresToProbability(scores, dims, this.scoreSource));
  }

  /** Predicts one image or volume at the reference size; in a windowed stream, all its slices in one request. */
  predict(image: ImageVolume, refSize?: ReferenceSize, options: PredictOptions & { caseIndex?: number } = {}): Promise<Prediction> {
    return predictImage(this.context(options.caseIndex), image, refSize, options);
  }

  /** As predict, without the thresholded mask. */
  predictProbabilities(image: ImageVolume, refSize?: ReferenceSize, options: PredictOptions & { caseIndex?: number } = {}): Promise<Probabilities> {
    return predictProbabilities(this.context(options.caseIndex), image, refSize, options);
  }

  private context(caseIndex: number | undefined): PredictionContext {
    return {
      modelName: this.spec.model.name,
      modelFile: this.scoreSource.modelFile,
      input: this.spec.description.input,
      output: this.spec.model.output,
      // A window batches whole cases: a case's slices go in one request, the host cuts them.
      batchSize: this.stream.window > 1 ? Number.MAX_SAFE_INTEGER : this.stream.chunk,
      run: (inputs, signal) => this.run(inputs, signal, caseIndex),
    };
  }

  /**
   * Case `caseIndex` is done with this model: if it sent nothing (a cache hit, a failure before the
   * model ran), its window is told not to wait for it.
   */
  settle(caseIndex: number): void {
    if (this.sent.delete(caseIndex)) return;
    if (this.stream.window > 1) this.connection.skip(this.spec.key, this.stream, caseIndex);
  }
}
