// Bundles the three front doors (and worker entry points) with esbuild. Native modules stay
// external: they are loaded from node_modules (or shipped beside dist/ in the VSIX).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { precompiledValidatorPlugin } from './lib/schemaValidator.mjs';

const external = ['vscode', 'onnxruntime-node', 'sharp'];
const entries = {
  client: 'client/src/extension.ts',
  server: 'server/src/lsp/main.ts',
  'lsp-worker': 'server/src/lsp/engine/worker.ts',
  'lsp-checks-worker': 'server/src/lsp/engine/checksWorker.ts',
  cli: 'server/src/cli/bin.ts',
  demo: 'server/src/cli/demo.ts',
  'inference-worker': 'server/src/core/inference/worker.ts',
  'case-worker': 'server/src/core/evaluate/caseWorker.ts',
  'provider-check': 'server/src/core/inference/providerCheckChild.ts',
  'umap-worker': 'server/src/core/explain/umap/worker.ts',
};
const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(p)));
const watch = process.argv.includes('--watch');

/**
 * The build's identity: a digest of the sources and the locked dependencies. Shards record it and
 * `medseg merge` refuses shards of another build (their numbers need not agree with this one's).
 */
function buildId() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(name)) hash.update(`${p}\0`).update(readFileSync(p)).update('\0');
    }
  };
  for (const dir of ['server/src', 'client/src', 'schemas']) if (existsSync(dir)) walk(dir);
  for (const file of ['package.json', 'package-lock.json']) if (existsSync(file)) hash.update(`${file}\0`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  plugins: [precompiledValidatorPlugin(join(import.meta.dirname, '..'))],
  // Some ESM dependencies (tinyglobby → fdir) call createRequire(import.meta.url); give them a
  // real file URL in the CommonJS bundle.
  define: { 'import.meta.url': 'importMetaUrl', MEDSEG_BUILD_ID: JSON.stringify(buildId()) },
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
