/**
 * The custom requests of server/src/protocol. Each runs the engine in a worker, reports
 * work-done progress on the client's token (or one the server creates), and stops on
 * `$/cancelRequest`.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver/node';
import {
  EvaluateRequestMethod,
  GenerateSplitRequestMethod,
  ImagesRequestMethod,
  PreviewDataRequestMethod,
  ResultsChangedNotificationMethod,
  ResultsRequestMethod,
  StressTestRequestMethod,
  ThumbnailRequestMethod,
  UmapRequestMethod,
  ValidateRequestMethod,
  type EvaluateParams,
  type StressTestParams,
  type StressTestResult,
  type ThumbnailParams,
  type ThumbnailResult,
  type UmapParams,
  type UmapResult,
  type EvaluateResult,
  type GenerateSplitParams,
  type GenerateSplitResult,
  type ImagesParams,
  type ImagesResult,
  type PreviewDataParams,
  type PreviewDataResult,
  type ResultsParams,
  type ResultsResult,
  type ValidateParams,
  type ValidateResult,
  type WorkDoneTokenParam,
} from '../../protocol';
import { dirname, join } from 'node:path';
import { parseConfig } from '../../core/config';
import type { Finding } from '../../core/findings';
import type { DiagnosticsScheduler } from '../diagnostics';
import type { ConfigDocuments } from '../documents';
import { CancelledError, JobFailedError, type EngineWorker, type ValidationOutcome } from '../engine';
import { toFindingData } from '../engine/findingData';
import type { ProgressFactory } from '../progress';
import type { WorkspaceTrust } from '../trust';

export interface RequestDeps {
  connection: Connection;
  configs: ConfigDocuments;
  scheduler: DiagnosticsScheduler;
  checks: EngineWorker;
  runs: EngineWorker;
  progress: ProgressFactory;
  /** Restricted Mode: model-running requests are refused, writes stay in the workspace. */
  trust: WorkspaceTrust;
  /** After a run: refresh inlay hints and lenses. */
  onResultsChanged(uri: string): void;
}

type WithToken = WorkDoneTokenParam;

/** Engine failures as protocol errors: cancellation as RequestCancelled, the rest with their message. */
export function toResponseError(err: unknown): ResponseError<{ code?: string }> {
  if (err instanceof ResponseError) return err;
  if (err instanceof CancelledError) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  if (err instanceof JobFailedError) return new ResponseError(LSPErrorCodes.RequestFailed, err.message, { code: err.code });
  return new ResponseError(LSPErrorCodes.RequestFailed, (err as Error)?.message ?? String(err));
}

/** An abort controller that follows `$/cancelRequest` (also one that arrived before this call). */
function abortControllerOf(token: CancellationToken | undefined): AbortController {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  token?.onCancellationRequested(() => controller.abort());
  return controller;
}

function signalOf(token: CancellationToken | undefined): AbortSignal {
  return abortControllerOf(token).signal;
}

async function configText(deps: RequestDeps, uri: string): Promise<{ file: string; text: string }> {
  const text = await deps.configs.textOf(uri);
  if (!text) throw new ResponseError(LSPErrorCodes.RequestFailed, `Cannot read the config ${uri}: open a saved *.medseg.yaml file.`);
  return text;
}

function countFindings(findings: readonly Finding[]): ValidateResult['counts'] {
  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

async function validate(deps: RequestDeps, params: ValidateParams & WithToken, token: CancellationToken): Promise<ValidateResult> {
  const images = params.images ?? true;
  const source = await configText(deps, params.uri);
  const parsed = parseConfig(source.text, source.file);
  const progress = await deps.progress.begin('MedSeg: validating', { token: params.workDoneToken, message: 'Checking the dataset' });
  try {
    let outcome: ValidationOutcome | undefined;
    if (deps.configs.get(params.uri)) outcome = await deps.scheduler.validateNow(params.uri, images, (m, f) => progress.report(m, f));
    if (!outcome && parsed.config) {
      outcome = await deps.checks.run('validate', { ...source, images, writableRoots: deps.trust.writableRoots() }, { signal: signalOf(token), onProgress: (m, f) => progress.report(m, f) });
    }
    const findings = [...parsed.findings, ...(outcome?.findings ?? [])];
    return { cases: outcome?.cases ?? 0, splits: outcome?.splits ?? {}, counts: countFindings(findings), findings: findings.map(toFindingData) };
  } finally {
    progress.done();
  }
}

async function evaluate(deps: RequestDeps, params: EvaluateParams & WithToken, token: CancellationToken): Promise<EvaluateResult> {
  deps.trust.requireTrust('Evaluation');
  const source = await configText(deps, params.uri);
  const controller = abortControllerOf(token);
  const progress = await deps.progress.begin('MedSeg: evaluating', { token: params.workDoneToken, cancellable: true, message: 'Starting' });
  // The progress UI's cancel button (server-created progress) cancels too.
  const sub = progress.token?.onCancellationRequested(() => controller.abort());
  try {
    const result = await deps.runs.run(
      'evaluate',
      { ...source, ...(params.split ? { split: params.split } : {}), ...(params.provider ? { provider: params.provider } : {}) },
      { signal: controller.signal, onProgress: (message, fraction) => progress.report(message, fraction) },
    );
    void deps.connection.sendNotification(ResultsChangedNotificationMethod, { uri: params.uri, outputDir: result.outputDir });
    deps.onResultsChanged(params.uri);
    return result;
  } finally {
    sub?.dispose();
    progress.done();
  }
}

async function results(deps: RequestDeps, params: ResultsParams, token: CancellationToken): Promise<ResultsResult> {
  const source = await configText(deps, params.uri);
  const config = parseConfig(source.text, source.file).config;
  // Loaded on first use: the results files, the stress section and its statistics are not what a
  // cold start needs for its first diagnostics.
  const [{ readResults }, { hasExplainResults }] = await Promise.all([import('../results'), import('../../core/explain/explainFile')]);
  const found = config ? await readResults(config) : null;
  if (!found || !hasExplainResults(found.outputDir)) return found;
  // The explanations section reads images for its thumbnails: the worker shapes it.
  try {
    const explain = await deps.runs.run('explainSection', source, { signal: signalOf(token) });
    return explain ? { ...found, explain } : found;
  } catch (err) {
    if (err instanceof CancelledError) throw err;
    const problem = `The explanations in ${found.outputDir} could not be shown: ${(err as Error).message}`;
    return { ...found, explain: { experiment: String(found.summary.experiment ?? config!.name), methods: [], galleryPerList: 0, notes: [], problems: [problem] } };
  }
}

async function images(deps: RequestDeps, params: ImagesParams, token: CancellationToken): Promise<ImagesResult> {
  const source = await configText(deps, params.uri);
  return deps.runs.run('images', { ...source, ...(params.split ? { split: params.split } : {}) }, { signal: signalOf(token) });
}

async function previewData(deps: RequestDeps, params: PreviewDataParams, token: CancellationToken): Promise<PreviewDataResult> {
  const source = await configText(deps, params.uri);
  return deps.runs.run(
    'preview',
    { ...source, image: params.image, ...(params.slice !== undefined ? { slice: params.slice } : {}), ...(params.window ? { window: params.window } : {}) },
    { signal: signalOf(token) },
  );
}

/** A long engine job with progress that the user can cancel (UMAP, stress tests). */
async function longJob<K extends 'umap' | 'stress'>(deps: RequestDeps, kind: K, title: string, uri: string, extra: object, workDoneToken: string | number | undefined, token: CancellationToken) {
  const source = await configText(deps, uri);
  const controller = abortControllerOf(token);
  const progress = await deps.progress.begin(title, { token: workDoneToken, cancellable: true, message: 'Starting' });
  const sub = progress.token?.onCancellationRequested(() => controller.abort());
  try {
    return await deps.runs.run(kind, { ...source, ...extra } as never, { signal: controller.signal, onProgress: (message, fraction) => progress.report(message, fraction) });
  } finally {
    sub?.dispose();
    progress.done();
  }
}

async function umap(deps: RequestDeps, params: UmapParams & WithToken, token: CancellationToken): Promise<UmapResult> {
  deps.trust.requireTrust('UMAP');
  return longJob(deps, 'umap', 'MedSeg: UMAP', params.uri, params.colorBy ? { colorBy: params.colorBy } : {}, params.workDoneToken, token) as Promise<UmapResult>;
}

/** A hover's picture: reads an image, runs no model, so an untrusted workspace may ask too. */
async function thumbnail(deps: RequestDeps, params: ThumbnailParams, token: CancellationToken): Promise<ThumbnailResult> {
  const source = await configText(deps, params.uri);
  return deps.runs.run('thumbnail', { ...source, imageId: params.imageId, ...(params.size !== undefined ? { size: params.size } : {}) }, { signal: signalOf(token) });
}

async function stressTest(deps: RequestDeps, params: StressTestParams & WithToken, token: CancellationToken): Promise<StressTestResult> {
  deps.trust.requireTrust('The stress test');
  const extra = { ...(params.split ? { split: params.split } : {}), ...(params.provider ? { provider: params.provider } : {}) };
  const result = (await longJob(deps, 'stress', 'MedSeg: stress test', params.uri, extra, params.workDoneToken, token)) as StressTestResult;
  // stress.json and the redrawn report.html are new results: open dashboards redraw.
  void deps.connection.sendNotification(ResultsChangedNotificationMethod, { uri: params.uri, outputDir: result.outputDir });
  deps.onResultsChanged(params.uri);
  return result;
}

/** Seeds the split generator tries by default (as `medseg split`). */
const DEFAULT_SPLIT_TRIES = 20;

async function generateSplit(deps: RequestDeps, params: GenerateSplitParams & WithToken, token: CancellationToken): Promise<GenerateSplitResult> {
  const source = await configText(deps, params.uri);
  const config = parseConfig(source.text, source.file).config;
  if (!config) throw new ResponseError(LSPErrorCodes.RequestFailed, 'The config has errors: fix them before generating a split.');
  const out = params.out ?? config.splits?.file ?? join(dirname(source.file), 'splits.csv');
  deps.trust.requireWritable(out, 'Generating a split');
  const controller = abortControllerOf(token);
  const progress = await deps.progress.begin('MedSeg: generating a split', { token: params.workDoneToken, cancellable: true, message: 'Resolving dataset' });
  const sub = progress.token?.onCancellationRequested(() => controller.abort());
  try {
    return await deps.runs.run(
      'generateSplit',
      { ...source, out, tries: params.tries ?? DEFAULT_SPLIT_TRIES, ...(params.seed !== undefined ? { seed: params.seed } : {}), writableRoots: deps.trust.writableRoots() },
      { signal: controller.signal, onProgress: (message, fraction) => progress.report(message, fraction) },
    );
  } finally {
    sub?.dispose();
    progress.done();
  }
}

export function registerRequests(deps: RequestDeps): void {
  const on = <P, R>(method: string, handler: (deps: RequestDeps, params: P, token: CancellationToken) => Promise<R>) =>
    deps.connection.onRequest(method, async (params: P, token: CancellationToken) => {
      try {
        return await handler(deps, params, token);
      } catch (err) {
        const error = toResponseError(err);
        if (error.code !== LSPErrorCodes.RequestCancelled && !(err instanceof JobFailedError) && !(err instanceof ResponseError)) {
          deps.connection.console.error(`${method} failed: ${(err as Error)?.stack ?? err}`);
        }
        throw error;
      }
    });
  on(ValidateRequestMethod, validate);
  on(EvaluateRequestMethod, evaluate);
  on(ResultsRequestMethod, results);
  on(ImagesRequestMethod, images);
  on(PreviewDataRequestMethod, previewData);
  on(GenerateSplitRequestMethod, generateSplit);
  on(UmapRequestMethod, umap);
  on(ThumbnailRequestMethod, thumbnail);
  on(StressTestRequestMethod, stressTest);
}
