/**
 * The HTML shell of every MedSeg webview: a strict Content-Security-Policy (nothing remote,
 * scripts only with this page's nonce, images from data: and the webview's own resources),
 * one bundled script, the extension's stylesheets. No data goes into the HTML itself: the page
 * gets everything by message, so nothing from the user's disk is ever parsed as markup.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewShell {
  /** `webview.cspSource`: the origin of resources under localResourceRoots. */
  cspSource: string;
  nonce: string;
  title: string;
  scriptUri: string;
  styleUris: string[];
  /** The id of the element the script draws into. */
  rootId: string;
  /**
   * Observable Plot writes a `<style>` element and style attributes into its SVG; the dashboard
   * allows inline styles for that (styles cannot run code). The preview does not need it.
   */
  inlineStyles?: boolean;
}

/**
 * The folders a MedSeg webview may load files from: the extension's stylesheets and its webview
 * bundles, nothing else. Images, results and report data arrive as messages (images as data:
 * URIs), so no webview needs the workspace, the results folder or the dataset: a page that went
 * wrong cannot read them.
 */
export const WEBVIEW_RESOURCE_FOLDERS = ['media', 'dist/webview'] as const;

/** The bundled files a webview of `script` with `styles` loads, as `/`-separated paths in the extension. */
export function webviewAssets(script: string, styles: readonly string[]): string[] {
  return [`dist/webview/${script}.js`, ...styles.map((s) => `media/${s}.css`)];
}

export function createNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function contentSecurityPolicy(shell: Pick<WebviewShell, 'cspSource' | 'nonce' | 'inlineStyles'>): string {
  return [
    "default-src 'none'",
    `img-src ${shell.cspSource} data: blob:`,
    `style-src ${shell.cspSource}${shell.inlineStyles ? " 'unsafe-inline'" : ''}`,
    `font-src ${shell.cspSource}`,
    `script-src 'nonce-${shell.nonce}'`,
  ].join('; ');
}

export function webviewHtml(shell: WebviewShell): string {
  if (!/^[A-Za-z0-9]+$/.test(shell.nonce)) throw new Error('webviewHtml: a nonce must be alphanumeric');
  const styles = shell.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(shell))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(shell.title)}</title>
${styles}
</head>
<body>
<main id="${escapeHtml(shell.rootId)}"></main>
<script nonce="${shell.nonce}" src="${escapeHtml(shell.scriptUri)}"></script>
</body>
</html>
`;
}
