/**
 * A tiny test runner for the extension host (mocha is not a dependency): tests run one after
 * another with a timeout each; results go to the console (the page console in VS Code web, the
 * terminal under @vscode/test-electron) and to a log file the harness prints.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ioDir } from './io';

interface TestCase {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs: number;
}

const tests: TestCase[] = [];

export function test(name: string, fn: () => Promise<void> | void, timeoutMs = 60_000): void {
  tests.push({ name, fn, timeoutMs });
}

export function log(line: string): void {
  console.log(`[medseg-suite] ${line}`);
  const dir = ioDir();
  if (dir) appendFileSync(join(dir, 'suite.log'), line + '\n');
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${name}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every registered test; rejects when one failed (the host then exits non-zero). */
export async function runAll(): Promise<void> {
  const failed: string[] = [];
  const t0 = Date.now();
  // MEDSEG_TEST_GREP=<regex> runs only the matching tests (while working on one of them).
  const grep = process.env.MEDSEG_TEST_GREP ? new RegExp(process.env.MEDSEG_TEST_GREP) : undefined;
  const chosen = grep ? tests.filter((t) => grep.test(t.name)) : tests;
  log(`running ${chosen.length} tests${grep ? ` matching ${grep}` : ''}`);
  for (const t of chosen) {
    const start = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.timeoutMs, t.name);
      log(`  ✔ ${t.name} (${Date.now() - start} ms)`);
    } catch (err) {
      failed.push(t.name);
      log(`  ✘ ${t.name} (${Date.now() - start} ms)\n      ${((err as Error).stack ?? String(err)).split('\n').join('\n      ')}`);
    }
  }
  log(`${chosen.length - failed.length} passed, ${failed.length} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (failed.length) throw new Error(`${failed.length} test(s) failed: ${failed.join('; ')}`);
}
