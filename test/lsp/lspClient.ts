/**
 * A minimal LSP client for protocol tests and the latency benchmark: spawns the BUILT server
 * (`node dist/server.js --stdio`), answers the server's requests like an editor would, and
 * records diagnostics and progress notifications.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type CancellationToken, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, InitializeResult, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';

export const ROOT = join(__dirname, '..', '..');
export const SERVER = join(ROOT, 'dist', 'server.js');

export interface ProgressEvent {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; percentage?: number; cancellable?: boolean };
}

export interface StartOptions {
  /** Settings answered to `workspace/configuration` for section `medseg`. */
  settings?: unknown;
  /** Whether the client supports server-created work-done progress. */
  workDoneProgress?: boolean;
  rootDir?: string;
  /** Sent as `initializationOptions` (the VS Code client sends `{ trusted }`). */
  initializationOptions?: unknown;
}

type DiagnosticsWaiter = { uri: string; predicate: (d: Diagnostic[]) => boolean; resolve: (p: PublishDiagnosticsParams) => void };

export class LspTestClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly diagnosticsLog: { at: number; params: PublishDiagnosticsParams }[] = [];
  readonly progress: ProgressEvent[] = [];
  readonly logs: string[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly appliedEdits: unknown[] = [];
  /** Messages the server showed the user (`window/showMessageRequest`, answered with no choice). */
  readonly shownMessages: string[] = [];
  stderr = '';
  exited: number | null | undefined;
  initializeResult!: InitializeResult;
  private waiters: DiagnosticsWaiter[] = [];

  private constructor(
    readonly process: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(child, connection);
    child.stderr!.on('data', (d: Buffer) => (client.stderr += d.toString()));
    child.on('exit', (code) => (client.exited = code));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.diagnostics.set(p.uri, p);
      client.diagnosticsLog.push({ at: performance.now(), params: p });
      const ready = client.waiters.filter((w) => w.uri === p.uri && w.predicate(p.diagnostics));
      client.waiters = client.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(p);
    });
    connection.onNotification('$/progress', (p: ProgressEvent) => {
      client.progress.push(p);
    });
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      client.logs.push(p.message);
    });
    connection.onNotification((method: string, params: unknown) => {
      client.notifications.push({ method, params });
    });
    connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => options.settings ?? null));
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.onRequest('workspace/codeLens/refresh', () => null);
    connection.onRequest('window/showMessageRequest', (p: { message: string }) => {
      client.shownMessages.push(p.message);
      return null;
    });
    connection.onRequest('workspace/applyEdit', (p: unknown) => {
      client.appliedEdits.push(p);
      return { applied: true };
    });
    connection.listen();
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: options.rootDir ? `file://${options.rootDir}` : null,
      workspaceFolders: options.rootDir ? [{ uri: `file://${options.rootDir}`, name: 'ws' }] : null,
      ...(options.initializationOptions !== undefined ? { initializationOptions: options.initializationOptions } : {}),
      capabilities: {
        workspace: { configuration: true, applyEdit: true, inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true }, workspaceFolders: true },
        window: { workDoneProgress: options.workDoneProgress ?? true },
        textDocument: {
          synchronization: { didSave: true },
          codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, versionSupport: true },
          completion: { completionItem: { snippetSupport: false } },
          hover: { contentFormat: ['markdown'] },
        },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  request<R>(method: string, params: unknown, token?: CancellationToken): Promise<R> {
    return token ? this.connection.sendRequest<R>(method, params, token) : this.connection.sendRequest<R>(method, params);
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'medseg', version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Resolves with the first diagnostics for `uri` (already received or future) that satisfy `predicate`. */
  waitForDiagnostics(uri: string, predicate: (d: Diagnostic[]) => boolean, timeoutMs = 10_000, includeCurrent = true): Promise<PublishDiagnosticsParams> {
    const current = this.diagnostics.get(uri);
    if (includeCurrent && current && predicate(current.diagnostics)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.diagnostics.get(uri)?.diagnostics.map((d) => d.code))}\n${this.logs.join('\n')}`));
      }, timeoutMs);
      const waiter: DiagnosticsWaiter = {
        uri,
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    if (this.exited === undefined) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification('exit');
      } catch {
        // already gone
      }
    }
    await new Promise<void>((resolve) => {
      if (this.exited !== undefined) return resolve();
      const timer = setTimeout(() => {
        this.process.kill();
        resolve();
      }, 2000);
      this.process.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.connection.dispose();
  }
}
