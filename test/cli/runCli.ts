// Runs the `medseg` CLI from its TypeScript sources in a child process, as a user would run it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(__dirname, '..', '..');
/** tsx's loader, for `node --import` in child processes. */
export const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
/** The CLI's entry point in the sources. */
export const cliEntry = join(root, 'server/src/cli/bin.ts');

export function runMedseg(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', tsxLoader, cliEntry, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
