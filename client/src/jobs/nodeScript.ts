/**
 * Runs one of the extension's own Node scripts (dist/demo.js, dist/cli.js) as a child process:
 * the engine's CLI is the fallback for work the server does not offer. Output lines go to the
 * log; cancellation sends SIGINT (the CLI exits 130), then SIGKILL after a grace period.
 */
import { spawn } from 'node:child_process';
import type * as vscode from 'vscode';

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
  cancelled: boolean;
}

export function runNodeScript(script: string, args: string[], options: { cwd?: string; log?: vscode.LogOutputChannel; token?: vscode.CancellationToken; onLine?: (line: string) => void }): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    // In desktop VS Code process.execPath is Electron; ELECTRON_RUN_AS_NODE makes it plain Node.
    const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let cancelled = false;
    const lines = (chunk: string, buffer: { rest: string }) => {
      const text = buffer.rest + chunk;
      const parts = text.split(/\r?\n/);
      buffer.rest = parts.pop() ?? '';
      for (const line of parts) {
        options.log?.info(line);
        options.onLine?.(line);
      }
    };
    const outBuffer = { rest: '' };
    const errBuffer = { rest: '' };
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      lines(c, outBuffer);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      lines(c, errBuffer);
    });
    const cancel = options.token?.onCancellationRequested(() => {
      cancelled = true;
      child.kill('SIGINT');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref();
    });
    child.on('error', (err) => {
      cancel?.dispose();
      reject(err);
    });
    child.on('close', (code) => {
      cancel?.dispose();
      for (const b of [outBuffer, errBuffer]) if (b.rest) lines('\n', b);
      resolve({ code, stdout, stderr, cancelled });
    });
  });
}
