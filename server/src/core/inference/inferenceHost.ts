/**
 * The owner's handle on the inference host (worker.ts): opens sessions in it, measures them, and
 * hands out ports through which other threads (the case workers) run the models.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { ModelConfig } from '../config/types';
import { entryScript, startWorker } from '../util/workerScript';
import { throwIfAborted } from './predict';
import type { RunnerDescription, RunnerSettings } from './runner';
import { reviveError, type HostRequest, type HostResponse } from './workerProtocol';

/** The inference host's entry file: `inference-worker.js` beside the bundle, else `worker.ts` here. */
export function workerScriptPath(): string {
  return entryScript(__dirname, 'inference-worker.js', __dirname, 'worker.ts');
}

interface Pending {
  resolve(m: HostResponse): void;
  reject(err: unknown): void;
}

export interface OpenedModel {
  key: number;
  description: RunnerDescription;
}

export class InferenceHost {
  private readonly pending = new Map<number, Pending>();
  private nextKey = 1;
  private failure: Error | undefined;
  private disposed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: HostResponse) => this.onMessage(m));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the inference worker exited (code ${code})`)));
    worker.unref();
  }

  static start(): InferenceHost {
    return new InferenceHost(startWorker(workerScriptPath()));
  }

  /** Opens `model`'s session on the runtime's provider; InputErrors (a model that does not fit its config, a provider missing) come back as InputErrors. */
  async open(model: ModelConfig, runtime: RunnerSettings, signal?: AbortSignal): Promise<OpenedModel> {
    throwIfAborted(signal);
    const key = this.nextKey++;
    const m = await this.request({ type: 'open', key, model, runtime }, key, signal);
    if (m.type !== 'opened') throw new Error(`inference worker: unexpected answer ${m.type} to open`);
    const { type: _type, key: _key, ...description } = m;
    return { key, description };
  }

  /** Bytes of one sample's activations of an opened model (activationBytes.ts). */
  async measure(key: number, signal?: AbortSignal): Promise<number> {
    const m = await this.request({ type: 'measure', key }, key, signal);
    if (m.type !== 'measured') throw new Error(`inference worker: unexpected answer ${m.type} to measure`);
    return m.bytes;
  }

  /** A new channel to the host: the returned port (transferable to another thread) sends it requests. */
  connect(): MessagePort {
    if (this.failure) throw this.failure;
    const { port1, port2 } = new MessageChannel();
    const request: HostRequest = { type: 'connect', port: port1 };
    this.worker.postMessage(request, [port1]);
    return port2;
  }

  /** The stream's waiting windows are dropped (an aborted run's cases never complete them). */
  endStream(stream: string): void {
    if (this.failure || this.disposed) return;
    const request: HostRequest = { type: 'end-stream', stream };
    this.worker.postMessage(request);
  }

  /** Releases every session and ends the thread. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.failure) {
      const done = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.worker.ref();
      const request: HostRequest = { type: 'dispose' };
      this.worker.postMessage(request);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
      await Promise.race([done, timeout]);
    }
    await this.worker.terminate();
    this.failAll(new Error('the inference worker was disposed'));
  }

  private request(request: HostRequest, key: number, signal?: AbortSignal): Promise<HostResponse> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.disposed) return Promise.reject(new Error('the inference worker was disposed'));
    return new Promise<HostResponse>((resolve, reject) => {
      const onAbort = () => {
        // The host finishes what it started (opening a session); its answer is dropped.
        this.settle(key);
        reject(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(key, {
        resolve: (m) => {
          done();
          resolve(m);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
      this.worker.ref();
      this.worker.postMessage(request);
    });
  }

  private onMessage(m: HostResponse): void {
    if (m.type === 'disposed') return;
    if (m.type === 'error' && m.key === undefined) {
      this.fail(reviveError(m.error));
      return;
    }
    const p = this.settle((m as { key: number }).key);
    if (!p) return;
    if (m.type === 'error') p.reject(reviveError(m.error));
    else p.resolve(m);
  }

  private settle(key: number): Pending | undefined {
    const p = this.pending.get(key);
    this.pending.delete(key);
    if (this.pending.size === 0) this.worker.unref();
    return p;
  }

  private fail(err: Error): void {
    if (this.disposed) return;
    this.failure ??= err;
    this.failAll(err);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
