/**
 * What a case worker does (caseWorker.ts runs it in a thread; casePool's in-thread executor runs
 * it on the evaluation's own thread): build the prediction sources of a run, evaluate the cases it
 * is given — read, predict (through the inference host), score, fuse, write — and keep the pooled
 * sums of its cases, handed over when a phase finishes. The sums are integer counts, so adding the
 * workers' sums in any order gives the same numbers as one worker.
 */
import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { DatasetCase } from '../dataset/types';
// Not the inference index: a case worker never loads onnxruntime (the host runs the sessions).
import { HostConnection, HostedModel } from '../inference/hostedModel';
import { PooledCounts } from '../metrics';
import { PredictionCache } from '../results/predictionCache';
import { HeapGuard } from '../util/heapGuard';
import { evaluateCase, type CaseContext, type CaseOutcome } from './caseEvaluation';
import { pooledTransfer, serializeRunError, streamOf, type CaseRunSpec, type PhaseSpec, type PhaseTotals, type SerializedRunError } from './caseWorkerProtocol';
import { FileSource, OnnxSource, type PredictionSource } from './sources';

export interface CaseRunnerEvents {
  outcome(index: number, outcome: CaseOutcome): void;
  failed(index: number, error: SerializedRunError): void;
}

interface Phase {
  spec: PhaseSpec;
  context: CaseContext;
  sources: PredictionSource[];
  controller: AbortController;
  inFlight: Set<Promise<void>>;
}

export class CaseRunner {
  private run: { spec: CaseRunSpec; connection?: HostConnection; cache: PredictionCache } | undefined;
  private phase: Phase | undefined;
  private readonly heap = new HeapGuard();

  constructor(private readonly events: CaseRunnerEvents) {}

  /** A new run: its sources are built per phase (each phase is its own inference stream). */
  begin(spec: CaseRunSpec, port?: MessagePort): void {
    if (this.run) throw new Error('case worker: begin while a run is open');
    this.run = { spec, connection: port ? new HostConnection(port) : undefined, cache: new PredictionCache(spec.cacheDir) };
  }

  startPhase(spec: PhaseSpec): void {
    const run = this.requireRun();
    if (this.phase) throw new Error('case worker: a phase started before the last one finished');
    const sources = run.spec.sources.map((s): PredictionSource => {
      if (!s.onnx) return new FileSource(s.model, run.spec.foreground);
      if (!run.connection) throw new Error(`case worker: model ${s.model.name} needs the inference host, and no port was given`);
      return OnnxSource.hosted(s.model, s.onnx.modelHash, new HostedModel(run.connection, s.onnx.hosted, streamOf(spec, s.onnx.batching)), run.cache);
    });
    const controller = new AbortController();
    const pooled = new Map(run.spec.methods.map((m) => [m, new PooledCounts()]));
    const context: CaseContext = {
      sources,
      metrics: run.spec.metrics,
      metricSettings: run.spec.metricSettings,
      foreground: run.spec.foreground,
      fusions: run.spec.fusions,
      fusionMembers: run.spec.fusionMembers,
      pooled,
      outputDir: spec.outputDir,
      signal: controller.signal,
    };
    this.phase = { spec, context, sources, controller, inFlight: new Set() };
  }

  submit(index: number, c: DatasetCase): void {
    const phase = this.requirePhase();
    const done = evaluateCase(c, phase.context, index).then(
      (outcome) => {
        this.heap.check();
        this.events.outcome(index, outcome);
      },
      (err: unknown) => this.events.failed(index, serializeRunError(err)),
    );
    phase.inFlight.add(done);
    void done.finally(() => phase.inFlight.delete(done));
  }

  /** Waits for the phase's cases; returns its sums (the phase is over). */
  async finish(): Promise<PhaseTotals> {
    const phase = this.requirePhase();
    while (phase.inFlight.size > 0) await Promise.all([...phase.inFlight]);
    this.phase = undefined;
    const run = this.requireRun();
    const pooled = Object.fromEntries([...phase.context.pooled].map(([m, p]) => [m, pooledTransfer(p)]));
    const inferences = Object.fromEntries(phase.sources.map((s) => [s.model.name, s.inferences]));
    const unsaved = run.cache.unsaved;
    return { pooled, inferences, ...(unsaved ? { cacheUnsaved: serializeRunError(unsaved) } : {}) };
  }

  /** Stops the phase's cases (their predictions reject with the abort) and waits until they have stopped. */
  async abort(): Promise<PhaseTotals | undefined> {
    if (!this.phase) return undefined;
    this.phase.controller.abort(new DOMException('The evaluation was stopped', 'AbortError'));
    return this.finish();
  }

  end(): void {
    this.run?.connection?.close();
    this.run = undefined;
    this.phase = undefined;
  }

  private requireRun(): NonNullable<CaseRunner['run']> {
    if (!this.run) throw new Error('case worker: no run begun');
    return this.run;
  }

  private requirePhase(): Phase {
    if (!this.phase) throw new Error('case worker: no phase started');
    return this.phase;
  }
}

/** The prediction cache folder of a config's runtime.cache. */
export function predictionCacheDir(runtimeCache: string): string {
  return join(runtimeCache, 'predictions');
}
