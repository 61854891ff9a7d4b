// What both drivers (run.mjs under code-server, electron.mjs under @vscode/test-electron) need:
// the suite bundled for the extension host, and a fresh demo workspace.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

/** test/vscode/suite → one CommonJS file the extension host can require (`vscode` stays external). */
export async function bundleSuite(root, outFile) {
  await build({
    entryPoints: [join(root, 'test/vscode/suite/index.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return outFile;
}

export function runNode(args, options = {}) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`node ${args.join(' ')} exited with ${code}\n${out.slice(-2000)}`))));
  });
}

/** The synthetic demo (`node dist/demo.js <folder>`): the workspace the suite opens. */
export function writeDemo(root, folder) {
  return runNode([join(root, 'dist', 'demo.js'), folder], { cwd: root });
}
