// Bundles the three front doors (and worker entry points) with esbuild. Native modules stay
// external: they are loaded from node_modules (or shipped beside dist/ in the VSIX).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const external = ['vscode', 'onnxruntime-node', 'sharp'];
const entries = {
  client: 'client/src/extension.ts',
  server: 'server/src/lsp/main.ts',
  'lsp-worker': 'server/src/lsp/engine/worker.ts',
  cli: 'server/src/cli/bin.ts',
  demo: 'server/src/cli/demo.ts',
  'inference-worker': 'server/src/core/inference/worker.ts',
  'umap-worker': 'server/src/core/explain/umap/worker.ts',
};
const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(p)));
const watch = process.argv.includes('--watch');

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  // Some ESM dependencies (tinyglobby → fdir) call createRequire(import.meta.url); give them a
  // real file URL in the CommonJS bundle.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  logLevel: watch ? 'info' : 'warning',
});

// Browser bundles (webviews and report.html): no Node APIs, one IIFE each.
const webEntries = {
  report: 'client/src/webview/reportMain.ts',
  preview: 'client/src/webview/previewMain.ts',
  dashboard: 'client/src/webview/dashboardMain.ts',
};
await build({
  entryPoints: Object.fromEntries(Object.entries(webEntries).filter(([, p]) => existsSync(p))),
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  target: 'es2020',
  format: 'iife',
  minify: true,
  legalComments: 'none',
  logLevel: watch ? 'info' : 'warning',
});
