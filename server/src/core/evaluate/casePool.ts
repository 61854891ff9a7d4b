/**
 * The scheduler of an evaluation: cases go out in index order to case workers (threads running
 * caseWorker.ts, or the evaluation's own thread with `workers: main`), at most `perWorker` in
 * flight on each, and their outcomes come back in whatever order they finish. The caller puts each
 * outcome at its index (the per-image table, the spooled fusion changes), so the results do not
 * depend on the number of workers or the order they finish in; the workers' pooled sums are
 * integer counts, added when a phase ends.
 *
 * Threads outlive a run: a finished run leaves its workers idle for the next one (the language
 * server evaluates again and again), and idle workers end after a while.
 */
import type { MessagePort, TransferListItem, Worker } from 'node:worker_threads';
import type { DatasetCase } from '../dataset/types';
import { entryScript, startWorker } from '../util/workerScript';
import type { CaseOutcome } from './caseEvaluation';
import { CaseRunner } from './caseRunner';
import { reviveRunError, serializeRunError, type CaseRunSpec, type PhaseSpec, type PhaseTotals, type PoolRequest, type PoolResponse } from './caseWorkerProtocol';
import type { WorkerPriority } from './poolSize';

/** Idle workers end after this long without a run. */
const IDLE_MS = 30_000;

export function caseWorkerScriptPath(): string {
  return entryScript(__dirname, 'case-worker.js', __dirname, 'caseWorker.ts');
}

interface ExecutorEvents {
  message(m: PoolResponse): void;
  /** The executor can no longer work (its thread died). */
  lost(err: Error): void;
}

interface Executor {
  inFlight: number;
  readonly alive: boolean;
  post(m: PoolRequest, transfer?: TransferListItem[]): void;
  listen(events: ExecutorEvents): void;
  /** Back to the idle list (threads), or nothing (the in-thread executor). */
  release(): void;
}

/** Idle threads by priority: a thread that lowered its priority cannot raise it again. */
const idleThreads: Record<WorkerPriority, Worker[]> = { low: [], normal: [] };
let idleTimer: NodeJS.Timeout | undefined;

function scheduleIdleEnd(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    idleTimer = undefined;
    for (const list of Object.values(idleThreads)) for (const w of list.splice(0)) void w.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

class ThreadExecutor implements Executor {
  inFlight = 0;
  alive = true;
  private listeners: (() => void)[] = [];

  constructor(
    private readonly worker: Worker,
    readonly priority: WorkerPriority,
  ) {}

  static take(priority: WorkerPriority): ThreadExecutor {
    const idle = idleThreads[priority].pop();
    if (idle) return new ThreadExecutor(idle, priority);
    const worker = startWorker(caseWorkerScriptPath());
    worker.unref();
    return new ThreadExecutor(worker, priority);
  }

  post(m: PoolRequest, transfer: TransferListItem[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  listen(events: ExecutorEvents): void {
    this.unlisten();
    const onMessage = (m: PoolResponse) => events.message(m);
    const onError = (err: Error) => this.lose(events, err);
    const onExit = (code: number) => this.lose(events, new Error(`a case worker exited (code ${code})`));
    this.worker.on('message', onMessage);
    this.worker.on('error', onError);
    this.worker.on('exit', onExit);
    this.listeners.push(
      () => this.worker.off('message', onMessage),
      () => this.worker.off('error', onError),
      () => this.worker.off('exit', onExit),
    );
    // While it works for a run, the thread keeps the process alive.
    this.worker.ref();
  }

  release(): void {
    this.unlisten();
    this.worker.unref();
    if (!this.alive) {
      void this.worker.terminate();
      return;
    }
    this.post({ type: 'end' });
    idleThreads[this.priority].push(this.worker);
    scheduleIdleEnd();
  }

  private lose(events: ExecutorEvents, err: Error): void {
    if (!this.alive) return;
    this.alive = false;
    events.lost(err);
  }

  private unlisten(): void {
    // One by one: removeAllListeners() would also drop the hooks with which a Worker keeps its
    // message port referenced.
    for (const off of this.listeners) off();
    this.listeners = [];
  }
}

/** The cases on the evaluation's own thread (`runtime.workers: main`): the same CaseRunner, no thread. */
class InlineExecutor implements Executor {
  inFlight = 0;
  readonly alive = true;
  private events: ExecutorEvents | undefined;
  private readonly runner = new CaseRunner({
    outcome: (index, outcome) => this.emit({ type: 'outcome', index, outcome }),
    failed: (index, error) => this.emit({ type: 'failed', index, error }),
  });

  post(m: PoolRequest): void {
    try {
      switch (m.type) {
        case 'begin':
          return this.runner.begin(m.spec, m.port);
        case 'phase':
          return this.runner.startPhase(m.phase);
        case 'case':
          return this.runner.submit(m.index, m.case);
        case 'finish':
          return void this.finished(this.runner.finish());
        case 'abort':
          return void this.finished(this.runner.abort());
        case 'end':
          return this.runner.end();
      }
    } catch (err) {
      this.emit({ type: 'failed', index: -1, error: serializeRunError(err) });
    }
  }

  listen(events: ExecutorEvents): void {
    this.events = events;
  }

  release(): void {
    this.runner.end();
  }

  private async finished(totals: Promise<PhaseTotals | undefined>): Promise<void> {
    try {
      this.emit({ type: 'finished', ...((await totals) ?? { pooled: {}, inferences: {} }) });
    } catch (err) {
      this.emit({ type: 'failed', index: -1, error: serializeRunError(err) });
    }
  }

  private emit(m: PoolResponse): void {
    // Asynchronously, as a thread's message would arrive: the scheduler never re-enters itself.
    setImmediate(() => this.events?.message(m));
  }
}

export interface PhaseOptions {
  /** Cases in flight on each worker. */
  perWorker: number;
  signal?: AbortSignal;
  /** Each case's outcome, as it arrives (any order); throwing stops the phase with that error. */
  onOutcome(index: number, outcome: CaseOutcome): void;
}

export class CasePool {
  private closed = false;

  private constructor(private readonly executors: Executor[]) {}

  /**
   * `workers` threads (or the calling thread: `main`), each told what the run's cases need. `port`
   * gives each worker its own channel to the inference host.
   */
  static open(workers: number | 'main', spec: CaseRunSpec, port?: () => MessagePort, priority: WorkerPriority = 'normal'): CasePool {
    // The evaluation's own thread (the language server's worker, say) never lowers its priority.
    const executors: Executor[] = workers === 'main' ? [new InlineExecutor()] : Array.from({ length: Math.max(1, workers) }, () => ThreadExecutor.take(priority));
    for (const ex of executors) {
      const p = port?.();
      ex.post({ type: 'begin', spec, port: p, lowPriority: ex instanceof ThreadExecutor && priority === 'low' }, p ? [p] : []);
    }
    return new CasePool(executors);
  }

  get size(): number {
    return this.executors.length;
  }

  /**
   * Evaluates `cases` (positions 0…n−1 of the phase) and resolves with each worker's sums once all
   * are done. The first error — a write the file system refused, a worker that died, an abort —
   * stops the dispatch, stops the cases in flight, and rejects once every worker has stopped.
   */
  runPhase(phase: PhaseSpec, cases: readonly DatasetCase[], options: PhaseOptions): Promise<PhaseTotals[]> {
    if (this.closed) return Promise.reject(new Error('CasePool: closed'));
    const executors = this.executors;
    return new Promise<PhaseTotals[]>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let stopped: unknown;
      let closing = false;
      let awaiting = 0;
      const totals: PhaseTotals[] = [];
      const finishedBy = new Set<Executor>();

      const settle = () => {
        options.signal?.removeEventListener('abort', onAbort);
        if (stopped !== undefined) reject(stopped);
        else resolve(totals);
      };
      const closeAll = (type: 'finish' | 'abort') => {
        closing = true;
        for (const ex of executors) {
          if (!ex.alive) continue;
          awaiting++;
          ex.post({ type });
        }
        if (awaiting === 0) settle();
      };
      const stop = (err: unknown) => {
        if (stopped !== undefined) return;
        stopped = err;
        if (!closing) closeAll('abort');
      };
      const onAbort = () => stop(options.signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
      const fill = () => {
        while (stopped === undefined && next < cases.length) {
          let pick: Executor | undefined;
          for (const ex of executors) if (ex.alive && ex.inFlight < options.perWorker && (!pick || ex.inFlight < pick.inFlight)) pick = ex;
          if (!pick) break;
          pick.inFlight++;
          pick.post({ type: 'case', index: next, case: cases[next] });
          next++;
        }
        if (stopped === undefined && !closing && done === cases.length) closeAll('finish');
      };
      const finishedOne = (ex: Executor) => {
        if (finishedBy.has(ex)) return;
        finishedBy.add(ex);
        if (--awaiting === 0) settle();
      };

      for (const ex of executors) {
        ex.inFlight = 0;
        ex.listen({
          message: (m) => {
            switch (m.type) {
              case 'outcome':
                ex.inFlight--;
                done++;
                if (stopped !== undefined) return;
                try {
                  options.onOutcome(m.index, m.outcome);
                } catch (err) {
                  stop(err);
                  return;
                }
                fill();
                return;
              case 'failed':
                if (m.index >= 0) ex.inFlight--;
                stop(reviveRunError(m.error));
                return;
              case 'finished': {
                const { type: _type, ...t } = m;
                totals.push(t);
                finishedOne(ex);
                return;
              }
              default:
                return;
            }
          },
          lost: (err) => {
            stop(err);
            // A dead thread never answers: stop waiting for it.
            if (closing && !finishedBy.has(ex)) finishedOne(ex);
          },
        });
        ex.post({ type: 'phase', phase });
      }
      if (executors.every((ex) => !ex.alive)) {
        stopped = new Error('no case worker is running');
        settle();
        return;
      }
      if (options.signal?.aborted) {
        stop(options.signal.reason);
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      fill();
    });
  }

  /** Ends the run in every worker; live threads go back to the idle list. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ex of this.executors) ex.release();
  }
}
