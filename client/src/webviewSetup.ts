/**
 * Options and HTML of a MedSeg webview: scripts on, resources only from the extension's media
 * and webview bundles (WEBVIEW_RESOURCE_FOLDERS), the strict CSP shell of webviewHtml.
 */
import * as vscode from 'vscode';
import { createNonce, WEBVIEW_RESOURCE_FOLDERS, webviewAssets, webviewHtml } from './webviewHtml';

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
    localResourceRoots: WEBVIEW_RESOURCE_FOLDERS.map((folder) => vscode.Uri.joinPath(extensionUri, folder)),
  };
}

export function setUpWebview(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: WebviewBundle): void {
  webview.options = webviewOptions(extensionUri);
  const [script, ...styles] = webviewAssets(bundle.script, bundle.styles).map((asset) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, asset)).toString());
  webview.html = webviewHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(),
    title: bundle.title,
    scriptUri: script,
    styleUris: styles,
    rootId: bundle.rootId,
    inlineStyles: bundle.inlineStyles,
  });
}
