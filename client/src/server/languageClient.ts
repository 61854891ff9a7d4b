/**
 * Starts the MedSeg language server (dist/server.js) over IPC and keeps it running: a crashed
 * server is restarted (the client re-sends the open documents, so no editor is lost) unless it
 * keeps crashing. Diagnostics switched off in the settings are filtered here, per finding code.
 */
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, TransportKind, type ErrorHandler, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { readSettings, SECTION } from '../settings';
import { CrashWindow } from './crashWindow';
import { filterDiagnostics } from './diagnosticFilter';

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const crashes = new CrashWindow(5, 3 * 60_000);
  const errorHandler: ErrorHandler = {
    error: (error, _message, count) => {
      log.error(`language server connection error (${count ?? 1}): ${error.message}`);
      return { action: (count ?? 1) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
    },
    closed: () => {
      if (crashes.record(Date.now())) {
        log.warn('the MedSeg language server stopped; restarting it (open editors are kept)');
        return { action: CloseAction.Restart, handled: true };
      }
      const message = 'The MedSeg language server crashed 5 times in 3 minutes and will not be restarted. See the "MedSeg Eval" output; run "Developer: Reload Window" to try again.';
      log.error(message);
      void vscode.window.showErrorMessage(message);
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'medseg' }],
    outputChannel: log,
    errorHandler,
    synchronize: {
      configurationSection: SECTION,
      // Split files, clinical CSVs and MSD dataset.json files change under a config: revalidate.
      fileEvents: [vscode.workspace.createFileSystemWatcher('**/*.medseg.{yaml,yml}'), vscode.workspace.createFileSystemWatcher('**/*.csv'), vscode.workspace.createFileSystemWatcher('**/dataset.json')],
    },
    initializationOptions: () => ({ trusted: vscode.workspace.isTrusted }),
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        const settings = readSettings(uri);
        next(uri, filterDiagnostics(diagnostics, settings.diagnosticsEnabled, settings.diagnosticsOff, (d) => diagnosticCode(d)));
      },
    },
  };
  return new LanguageClient('medseg', 'MedSeg Eval', serverOptions, clientOptions);
}

function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  if (d.code === undefined) return undefined;
  if (typeof d.code === 'object') return String(d.code.value);
  return String(d.code);
}
