// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx).
// `node scripts/run-tests.mjs core/io` runs only the files whose path contains an argument.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const testDir = join(root, 'test');
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    // The real-VS-Code suite (vscode/suite) and slurm/ start a browser or daemons: they have their
    // own npm scripts. test/vscode's own *.test.ts (its drivers' checks) run here.
    if (name.startsWith('.') || name === 'fixtures' || name === 'slurm' || relative(testDir, join(dir, name)) === join('vscode', 'suite')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = walk(testDir, []).filter((f) => filters.length === 0 || filters.some((x) => relative(testDir, f).includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
