/**
 * Wires the language server: capabilities, document sync, the editing features and the custom
 * requests. Every handler is guarded: a failure is logged and answered with an empty result, so
 * no input and no failing request takes the server down.
 */
import { mkdir } from 'node:fs/promises';
import { relative, dirname } from 'node:path';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticsScheduler } from './diagnostics';
import { ConfigDocuments } from './documents';
import { EngineWorker, engineWorkerScript, JobFailedError } from './engine';
import type * as Features from './features';
import { CREATE_FOLDER_COMMAND, GENERATE_SPLIT_COMMAND } from './features/commandIds';
import { ProgressFactory } from './progress';
import { registerRequests } from './requests';
import { SettingsStore } from './settings';
import { WorkspaceTrust } from './trust';
import { WorkspaceTrustedNotificationMethod } from '../protocol';

let onnxRuntimeLoaded = false;

function preloadOnnxRuntime(): void {
  if (onnxRuntimeLoaded) return;
  onnxRuntimeLoaded = true;
  try {
    require('onnxruntime-node');
  } catch {
    // Without the runtime only `predictions:` models evaluate; the engine reports that itself.
  }
}

/**
 * Completion, hover, links, lenses, hints and code actions load on first use: they pull in ONNX
 * parsing, CSV reading and the results files, none of which the first diagnostics need, so a
 * cold start publishes sooner (bench/lsp-latency.ts).
 */
let featuresModule: Promise<typeof Features> | undefined;
const features = (): Promise<typeof Features> => (featuresModule ??= import('./features'));

/** Seeds tried by the split generator of the code action; the closest split is kept. */
const SPLIT_TRIES = 20;

export interface ServerOptions {
  /** Start the validation worker at initialisation (so the first diagnostics do not wait for it). */
  prestartWorkers?: boolean;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const configs = new ConfigDocuments(documents);
  const settings = new SettingsStore(connection);
  const progress = new ProgressFactory(connection);
  const log = (level: 'info' | 'warn' | 'error', message: string) => {
    if (level === 'error') connection.console.error(message);
    else if (level === 'warn') connection.console.warn(message);
    else connection.console.log(message);
  };
  const checks = new EngineWorker('checks', log, { script: () => engineWorkerScript('checks') });
  // Native add-ons must be loaded by the main thread before workers use them, or a worker that
  // ends can unload a library another worker still runs (sharp documents this; onnxruntime too).
  const runs = new EngineWorker('runs', log, { beforeStart: preloadOnnxRuntime });
  const trust = new WorkspaceTrust();
  const scheduler = new DiagnosticsScheduler(connection, configs, checks, settings, progress, (m) => log('error', m), () => trust.writableRoots());
  let resolveEdits = false;
  let refreshHints = false;
  let refreshLenses = false;
  let applyEdit = false;
  let watchFiles = false;
  let workspaceFolders = false;

  const guard = <A extends unknown[], R>(name: string, fallback: R, fn: (...args: A) => R | Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        connection.console.error(`medseg: ${name} failed: ${(err as Error)?.stack ?? err}`);
        return fallback;
      }
    };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    trust.initialize(params);
    settings.supported = caps.workspace?.configuration === true;
    progress.serverInitiated = caps.window?.workDoneProgress === true;
    resolveEdits = caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true;
    refreshHints = caps.workspace?.inlayHint?.refreshSupport === true;
    refreshLenses = caps.workspace?.codeLens?.refreshSupport === true;
    applyEdit = caps.workspace?.applyEdit === true;
    watchFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    workspaceFolders = caps.workspace?.workspaceFolders === true;
    if (options.prestartWorkers !== false) checks.start();
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        completionProvider: { triggerCharacters: [':', ' ', '/', '[', ',', '-'] },
        hoverProvider: true,
        documentLinkProvider: { resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: true },
        inlayHintProvider: true,
        executeCommandProvider: { commands: [GENERATE_SPLIT_COMMAND, CREATE_FOLDER_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'medseg-eval' },
    };
  });

  const revalidateAll = () => {
    for (const doc of documents.all()) scheduler.schedule(doc.uri, 'save');
  };
  let watchedTimer: NodeJS.Timeout | undefined;

  connection.onInitialized(() => {
    if (settings.supported) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'medseg' }).catch(() => undefined);
    // A fixed CSV, dataset.json or model changes the findings of the configs that name it.
    // Images are not watched: 60,000 file events would cost more than they tell.
    if (watchFiles) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{csv,json,onnx}' }] })
        .catch(() => undefined);
    }
    if (workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        trust.changeFolders(e.added, e.removed);
        settings.clear();
        revalidateAll();
      });
    }
  });
  // Granted later: model-running requests and writes outside the workspace are allowed from now on.
  connection.onNotification(WorkspaceTrustedNotificationMethod, () => {
    trust.grant();
    revalidateAll();
  });
  connection.onDidChangeWatchedFiles(() => {
    clearTimeout(watchedTimer);
    watchedTimer = setTimeout(revalidateAll, 200);
  });
  connection.onDidChangeConfiguration(() => {
    settings.clear();
    revalidateAll();
  });
  connection.onShutdown(async () => {
    await Promise.all([checks.dispose(), runs.dispose()]);
  });

  const openedVersion = new Map<string, number>();
  documents.onDidOpen((e) => {
    openedVersion.set(e.document.uri, e.document.version);
    scheduler.schedule(e.document.uri, 'open');
  });
  documents.onDidChangeContent((e) => {
    // didOpen also fires a content change; the open already scheduled the checks.
    if (openedVersion.get(e.document.uri) !== e.document.version) scheduler.schedule(e.document.uri, 'change');
  });
  documents.onDidSave((e) => scheduler.schedule(e.document.uri, 'save'));
  documents.onDidClose((e) => {
    scheduler.closed(e.document.uri);
    openedVersion.delete(e.document.uri);
    configs.forget(e.document.uri);
    settings.forget(e.document.uri);
  });

  connection.onCompletion(
    guard('completion', [], async (params) => {
      const open = configs.get(params.textDocument.uri);
      return open ? (await features()).completeConfig(open, params.position) : [];
    }),
  );
  connection.onHover(
    guard('hover', null, async (params) => {
      const open = configs.get(params.textDocument.uri);
      return open ? (await features()).hoverConfig(open, params.position, scheduler.latest(open.uri)) : null;
    }),
  );
  connection.onDocumentLinks(
    guard('document links', [], async (params) => {
      const open = configs.get(params.textDocument.uri);
      return open ? (await features()).configLinks(open) : [];
    }),
  );
  connection.onCodeLens(
    guard('code lens', [], async (params) => {
      const open = configs.get(params.textDocument.uri);
      return open ? (await features()).configCodeLenses(open) : [];
    }),
  );
  connection.languages.inlayHint.on(
    guard('inlay hints', [], async (params) => {
      const open = configs.get(params.textDocument.uri);
      return open ? (await features()).configInlayHints(open, params.range) : [];
    }),
  );
  connection.onCodeAction(
    guard('code actions', [], async (params) => {
      const open = configs.get(params.textDocument.uri);
      return open ? (await features()).configCodeActions(open, params, { resolveEdits }) : [];
    }),
  );

  /** Generates and writes the split, and returns the edit that points `splits.file` at it. */
  async function generateSplit(uri: string) {
    const open = configs.get(uri);
    if (!open?.parsed.config) throw new Error('the config has errors or is not open');
    const { freeSplitFile, pointSplitsAtEdits } = await features();
    const out = freeSplitFile(open.file);
    trust.requireWritable(out, 'Generating a split');
    const handle = await progress.begin('MedSeg: generating a split', { message: 'Resolving dataset' });
    try {
      const result = await runs.run('generateSplit', { file: open.file, text: open.text, out, tries: SPLIT_TRIES, writableRoots: trust.writableRoots() }, { onProgress: (m, f) => handle.report(m, f) });
      const rel = relative(dirname(open.file), result.file).split('\\').join('/');
      const latest = configs.get(uri) ?? open;
      return { result, edit: { changes: { [uri]: pointSplitsAtEdits(latest, rel) } } };
    } finally {
      handle.done();
    }
  }

  /** A failed action is the user's business (a config error, an empty dataset): say so, keep serving. */
  const reportFailure = (what: string, err: unknown) => {
    const message = err instanceof JobFailedError || err instanceof Error ? err.message : String(err);
    void connection.window.showErrorMessage(`MedSeg: ${what}: ${message}`);
    if (!(err instanceof JobFailedError) && !(err instanceof ResponseError)) connection.console.error(`medseg: ${what}: ${(err as Error)?.stack ?? err}`);
  };

  connection.onCodeActionResolve(
    guard('code action resolve', undefined as unknown as CodeAction, async (action: CodeAction) => {
      const data = action.data as Features.GenerateSplitActionData | undefined;
      if (data?.action !== 'generate-split') return action;
      try {
        const { edit, result } = await generateSplit(data.uri);
        connection.console.log(`medseg: wrote ${result.file} (${result.rows} rows: ${Object.entries(result.splits).map(([s, n]) => `${s} ${n}`).join(', ')})`);
        return { ...action, edit };
      } catch (err) {
        reportFailure('could not generate a split', err);
        return action;
      }
    }),
  );
  connection.onExecuteCommand(
    guard('command', undefined, async (params) => {
      const arg = (params.arguments?.[0] ?? {}) as { uri?: string; folder?: string };
      try {
        if (params.command === CREATE_FOLDER_COMMAND && arg.folder) {
          trust.requireWritable(arg.folder, 'Creating a folder');
          await mkdir(arg.folder, { recursive: true });
          if (arg.uri) scheduler.schedule(arg.uri, 'save');
        } else if (params.command === GENERATE_SPLIT_COMMAND && arg.uri) {
          const { edit } = await generateSplit(arg.uri);
          if (applyEdit) await connection.workspace.applyEdit({ label: 'Generate split', edit });
        }
      } catch (err) {
        reportFailure(params.command === CREATE_FOLDER_COMMAND ? 'could not create the folder' : 'could not generate a split', err);
      }
      return undefined;
    }),
  );

  registerRequests({
    connection,
    trust,
    configs,
    scheduler,
    checks,
    runs,
    progress,
    onResultsChanged: () => {
      if (refreshHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
      if (refreshLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    },
  });

  documents.listen(connection);
}
