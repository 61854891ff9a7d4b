/**
 * The typed face of the language server's custom requests (server/src/protocol). Everything the
 * extension knows about evaluations comes through here; it knows nothing of ONNX or metrics.
 */
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import { ErrorCodes, ResponseError, WorkDoneProgress, type LanguageClient, type WorkDoneProgressBegin, type WorkDoneProgressReport } from 'vscode-languageclient/node';
import {
  EvaluateRequestMethod,
  ImagesRequestMethod,
  PreviewDataRequestMethod,
  ResultsChangedNotificationMethod,
  ResultsRequestMethod,
  ValidateRequestMethod,
  type EvaluateParams,
  type EvaluateResult,
  type ImagesParams,
  type ImagesResult,
  type PreviewDataParams,
  type PreviewDataResult,
  type ResultsChangedParams,
  type ResultsResult,
  type ValidateParams,
  type ValidateResult,
} from '../../../server/src/protocol';

/** What a long request reports: a message and, when known, the fraction done (0–1). */
export type ProgressListener = (message: string | undefined, fraction: number | undefined) => void;

/** The server does not implement a request (an older or partial server). */
export class NotSupportedError extends Error {
  constructor(readonly method: string) {
    super(`The MedSeg language server does not support \`${method}\` yet.`);
  }
}

/** The request was cancelled (by the user or a newer request). */
export class CancelledError extends Error {
  constructor(readonly method: string) {
    super(`${method} was cancelled`);
  }
}

export class MedsegServer {
  constructor(private readonly client: LanguageClient) {}

  get languageClient(): LanguageClient {
    return this.client;
  }

  validate(params: ValidateParams, token?: vscode.CancellationToken): Promise<ValidateResult> {
    return this.request(ValidateRequestMethod, params, token);
  }

  evaluate(params: EvaluateParams, onProgress?: ProgressListener, token?: vscode.CancellationToken): Promise<EvaluateResult> {
    return this.requestWithProgress(EvaluateRequestMethod, params, onProgress, token);
  }

  results(uri: string, token?: vscode.CancellationToken): Promise<ResultsResult> {
    return this.request(ResultsRequestMethod, { uri }, token);
  }

  images(params: ImagesParams, token?: vscode.CancellationToken): Promise<ImagesResult> {
    return this.request(ImagesRequestMethod, params, token);
  }

  previewData(params: PreviewDataParams, token?: vscode.CancellationToken): Promise<PreviewDataResult> {
    return this.request(PreviewDataRequestMethod, params, token);
  }

  onResultsChanged(listener: (params: ResultsChangedParams) => void): vscode.Disposable {
    return this.client.onNotification(ResultsChangedNotificationMethod, listener);
  }

  /** Any request; a request the server lacks becomes `NotSupportedError`, a cancelled one `CancelledError`. */
  async request<R>(method: string, params: object, token?: vscode.CancellationToken): Promise<R> {
    try {
      return await this.client.sendRequest<R>(method, params, token);
    } catch (err) {
      throw translateError(method, err);
    }
  }

  /** A request that reports work-done progress on a token the client makes (LSP `workDoneToken`). */
  async requestWithProgress<R>(method: string, params: object, onProgress: ProgressListener | undefined, token?: vscode.CancellationToken): Promise<R> {
    const workDoneToken = `medseg-${randomUUID()}`;
    const subscription = onProgress
      ? this.client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
          if (value.kind === 'end') return;
          const v = value as WorkDoneProgressBegin | WorkDoneProgressReport;
          onProgress(v.message, v.percentage === undefined ? undefined : v.percentage / 100);
        })
      : undefined;
    try {
      return await this.request<R>(method, { ...params, workDoneToken }, token);
    } finally {
      subscription?.dispose();
    }
  }
}

export function translateError(method: string, err: unknown): unknown {
  if (err instanceof ResponseError) {
    if (err.code === ErrorCodes.MethodNotFound) return new NotSupportedError(method);
    if (err.code === -32800 /* LSP RequestCancelled */) return new CancelledError(method);
  }
  return err;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
