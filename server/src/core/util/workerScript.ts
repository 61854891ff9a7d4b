/**
 * Starting the engine's own threads and processes from the bundle (`dist/<name>.js`, what users
 * run) or from the TypeScript sources (tests and scripts run through tsx).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The entry file `bundled` beside the running bundle (esbuild puts the bundles in `dist/`), else the
 * TypeScript source `source` in `sourceDir` (the folder of the module asking).
 */
export function entryScript(bundleDir: string, bundled: string, sourceDir: string, source: string): string {
  const bundle = join(bundleDir, bundled);
  if (existsSync(bundle)) return bundle;
  const ts = join(sourceDir, source);
  if (existsSync(ts)) return ts;
  throw new Error(`${bundled} not found: neither ${bundle} nor ${ts} exists; rebuild with \`npm run build\``);
}

/** tsx's require hook, for running a `.ts` entry in a new thread or process. */
export function tsxRequireHook(script: string): string {
  return createRequire(script).resolve('tsx/cjs');
}

/**
 * Starts a worker thread on `script`. A `.ts` entry is loaded through tsx's require hook from a
 * small eval bootstrap: on Node 20, `execArgv: ['--import', 'tsx']` registers tsx's hooks too late
 * for a worker's entry module (ERR_UNKNOWN_FILE_EXTENSION).
 */
export function startWorker(script: string, options: WorkerOptions = {}): Worker {
  if (!script.endsWith('.ts')) return new Worker(script, options);
  return new Worker(`require(${JSON.stringify(tsxRequireHook(script))}); require(${JSON.stringify(script)});`, { ...options, eval: true });
}

/** The node arguments that run `script` in a child process (tsx's hook first for a `.ts` entry). */
export function childArguments(script: string): string[] {
  return script.endsWith('.ts') ? ['--require', tsxRequireHook(script), script] : [script];
}
