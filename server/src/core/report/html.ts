/**
 * report.html: one self-contained file — the results as embedded JSON, the chart bundle and the
 * stylesheet inlined, images as data URIs — so it opens offline, can be mailed, and is evidence
 * that does not change when the results folder does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportData } from '../../protocol/reportData';

/** Finds a built asset from the bundle (dist/…) or from the sources (tests under tsx). */
export function assetPath(relative: string): string {
  const candidates = [join(__dirname, relative), join(__dirname, '..', relative), join(__dirname, '..', '..', '..', '..', 'dist', relative)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`report asset ${relative} is missing: run \`npm run build\` (looked in ${candidates.join(', ')})`);
  return found;
}

function cssPath(): string {
  const candidates = [join(__dirname, '..', 'media', 'report.css'), join(__dirname, '..', '..', '..', '..', 'media', 'report.css')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** JSON safe inside a <script> element (no `</script>` or `<!--` can close or confuse it). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Text safe in HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderReportHtml(data: ReportData): string {
  const script = readFileSync(assetPath(join('webview', 'report.js')), 'utf8').replace(/<\/script/gi, '<\\/script');
  const css = readFileSync(cssPath(), 'utf8');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>MedSeg Eval · ${escapeHtml(data.experiment)}</title>
<style>${css}</style>
</head>
<body>
<main id="medseg-report"><noscript>This report draws its tables and plots with JavaScript; open it in a browser with scripts enabled.</noscript></main>
<script id="medseg-data" type="application/json">${scriptSafeJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}
