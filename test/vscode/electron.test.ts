import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = join(__dirname, '..', '..');
let dir: string;

/** Runs `npm run test:electron`'s script (without the build) and times it. */
function runElectron(env: Record<string, string | undefined>, limitMs = 30_000): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [join(root, 'test', 'vscode', 'electron.mjs')], { cwd: root, env: { ...process.env, VSCODE_EXECUTABLE: undefined, MEDSEG_VSCODE_UPDATE_URL: undefined, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`test:electron hung for ${limitMs} ms:\n${output}`));
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - start });
    });
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('npm run test:electron where desktop VS Code cannot run: a clear message, never a hang', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-electron-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('VSCODE_EXECUTABLE naming nothing, a folder, or a file that cannot run', async () => {
    const notExecutable = join(dir, 'code');
    writeFileSync(notExecutable, '');
    chmodSync(notExecutable, 0o644);
    for (const [path, said] of [
      [join(dir, 'missing', 'code'), /does not exist: point it at a desktop VS Code/],
      [dir, /is a folder: give the executable inside it/],
      [notExecutable, /is not executable/],
    ] as const) {
      const r = await runElectron({ VSCODE_EXECUTABLE: path });
      assert.equal(r.code, 2, r.output);
      assert.match(r.output, said);
      assert.match(r.output, /npm run test:vscode/, 'names the offline runner');
    }
  });

  test('no network: the download server refuses or never answers, and the run stops within seconds', async () => {
    // Refused: a port nothing listens on.
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    const refused = await runElectron({ MEDSEG_VSCODE_UPDATE_URL: `http://127.0.0.1:${port}/` });
    assert.equal(refused.code, 2, refused.output);
    assert.match(refused.output, /cannot download VS Code: http:\/\/127\.0\.0\.1:\d+\/ is not reachable \(ECONNREFUSED\)\. Set VSCODE_EXECUTABLE/);
    // Silent: a server that accepts the connection and never answers (a blackholed network).
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    const silentPort = await listen(silent);
    try {
      const r = await runElectron({ MEDSEG_VSCODE_UPDATE_URL: `http://127.0.0.1:${silentPort}/`, MEDSEG_VSCODE_PROBE_TIMEOUT_MS: '800' });
      assert.equal(r.code, 2, r.output);
      assert.match(r.output, /is not reachable \(no answer within 800 ms\)/);
      assert.ok(r.ms < 20_000, `stopped in ${r.ms} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
