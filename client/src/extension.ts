/**
 * MedSeg Eval for VS Code: starts the language server and wires the features. Nothing here knows
 * about ONNX or metrics; the server does the work and the webviews draw it.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Dashboards } from './dashboard/dashboardPanel';
import { ImageLocator } from './preview/imageLocator';
import { PREVIEW_EDITOR_VIEW_TYPE, PreviewEditorProvider } from './preview/previewEditorProvider';
import type { PreviewRendered } from './preview/previewController';
import { PreviewPanels } from './preview/previewPanel';
import { WorkspaceTrustedNotificationMethod } from '../../server/src/protocol';
import { createLanguageClient } from './server/languageClient';
import { MedsegServer } from './server/medsegServer';
import { MedsegStatusBar } from './statusBar';
import { trackWalkthroughContext } from './walkthrough';

/** What activate() returns: for other extensions and for the integration tests. */
export interface MedsegApi {
  server: MedsegServer;
  /** Resolves once the language server is up. */
  ready: Promise<void>;
  onPreviewRendered: vscode.Event<PreviewRendered>;
  onDashboardRendered: vscode.Event<{ config: string; sections: string[] }>;
  statusBarText(): string;
  /** Content-Security-Policy violations the webviews reported (none expected). */
  cspViolations(): string[];
}

let server: MedsegServer | undefined;

export function activate(context: vscode.ExtensionContext): MedsegApi {
  const log = vscode.window.createOutputChannel('MedSeg Eval', { log: true });
  const client = createLanguageClient(context, log);
  server = new MedsegServer(client);
  const previewRendered = new vscode.EventEmitter<PreviewRendered>();
  const dashboardRendered = new vscode.EventEmitter<{ config: string; sections: string[] }>();
  const statusBar = new MedsegStatusBar();
  const violations: string[] = [];
  const onCspViolation = (what: string) => {
    violations.push(what);
    log.warn(`webview CSP violation: ${what}`);
  };
  const locator = new ImageLocator(server, log);
  const previews = new PreviewPanels(context.extensionUri, server, { onRendered: (i) => previewRendered.fire(i), onCspViolation, openDashboard: (c) => void dashboards.show(c) });
  const dashboards: Dashboards = new Dashboards(context.extensionUri, server, {
    openImage: (config, image, method, focusKind) => previews.show({ config, image, method: method === 'fusion:best' ? undefined : method, ...(focusKind ? { focusKind } : {}) }),
    onRendered: (i) => dashboardRendered.fire(i),
    onCspViolation,
  });
  const editors = new PreviewEditorProvider(context.extensionUri, server, locator, { onRendered: (i) => previewRendered.fire(i), onCspViolation, openDashboard: (c) => void dashboards.show(c) });
  context.subscriptions.push(
    log,
    statusBar,
    previews,
    dashboards,
    previewRendered,
    dashboardRendered,
    trackWalkthroughContext(),
    vscode.window.registerCustomEditorProvider(PREVIEW_EDITOR_VIEW_TYPE, editors, { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true }),
    server.onResultsChanged(({ uri }) => {
      locator.invalidate(vscode.Uri.parse(uri));
      void dashboards.refresh(uri);
      previews.refresh(uri);
      editors.refresh(uri);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.languageId === 'medseg') locator.invalidate(doc.uri);
    }),
    // The server learns of trust at start (initializationOptions) and of a later grant from this
    // notification; it refuses model runs and writes outside the workspace until then.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void ready.then(() => client.sendNotification(WorkspaceTrustedNotificationMethod)).catch(() => undefined)),
  );
  for (const command of registerCommands({ context, log, server, statusBar, previews, dashboards, locator })) context.subscriptions.push(command);
  const ready = client.start().catch((err: unknown) => {
    log.error(`the MedSeg language server did not start: ${(err as Error).message ?? err}`);
    void vscode.window.showErrorMessage('MedSeg: the language server did not start. See the "MedSeg Eval" output.');
    throw err;
  });
  return {
    server,
    ready,
    onPreviewRendered: previewRendered.event,
    onDashboardRendered: dashboardRendered.event,
    statusBarText: () => statusBar.text,
    cspViolations: () => [...violations],
  };
}

export async function deactivate(): Promise<void> {
  await server?.languageClient.stop();
}
