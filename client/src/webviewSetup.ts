/**
 * Options and HTML of a MedSeg webview: scripts on, resources only from the extension's media
 * and webview bundles and the workspace folders, the strict CSP shell of webviewHtml.
 */
import * as vscode from 'vscode';
import { createNonce, webviewHtml } from './webviewHtml';

export interface WebviewBundle {
  /** dist/webview/<script>.js */
  script: string;
  /** media/<name>.css, in order. */
  styles: string[];
  rootId: string;
  title: string;
  inlineStyles?: boolean;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri)],
  };
}

export function setUpWebview(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: WebviewBundle): void {
  webview.options = webviewOptions(extensionUri);
  webview.html = webviewHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(),
    title: bundle.title,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${bundle.script}.js`)).toString(),
    styleUris: bundle.styles.map((s) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', `${s}.css`)).toString()),
    rootId: bundle.rootId,
    inlineStyles: bundle.inlineStyles,
  });
}
