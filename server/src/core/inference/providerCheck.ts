/**
 * Whether an execution provider can run here, asked of a child process (providerCheckChild.ts), so
 * that a GPU provider that cannot start — it throws, prints driver warnings, or crashes its process
 * while it enumerates adapters — costs the evaluation nothing but the answer. Each provider is
 * checked once per process.
 */
import { execFile } from 'node:child_process';
import { childArguments, entryScript } from '../util/workerScript';

export const CHECK_PREFIX = 'MEDSEG_PROVIDER_CHECK ';

/** A provider's check: answers within this (Dawn and CUDA start in seconds; a hung driver must not hold the run). */
export const CHECK_TIMEOUT_MS = 60_000;

export interface ProviderCheck {
  ok: boolean;
  /** Why not, in a sentence; empty when ok. */
  reason: string;
}

export interface CheckOptions {
  /** The check's entry (tests give one that crashes or hangs); default provider-check.js / providerCheckChild.ts. */
  script?: string;
  timeoutMs?: number;
}

export function providerCheckScriptPath(): string {
  return entryScript(__dirname, 'provider-check.js', __dirname, 'providerCheckChild.ts');
}

const checked = new Map<string, Promise<ProviderCheck>>();

/** The answer of a child that ran the check (its exit, signal or output). */
export function readCheckResult(provider: string, error: (Error & { code?: unknown; signal?: unknown; killed?: boolean }) | null, stdout: string, timeoutMs: number): ProviderCheck {
  const line = stdout.split('\n').find((l) => l.startsWith(CHECK_PREFIX));
  if (line) {
    try {
      const r = JSON.parse(line.slice(CHECK_PREFIX.length)) as ProviderCheck;
      if (typeof r.ok === 'boolean') return { ok: r.ok, reason: r.ok ? '' : String(r.reason || `the ${provider} provider failed its check`) };
    } catch {
      // fall through: an unreadable answer is a failed check
    }
  }
  if (error?.killed) return { ok: false, reason: `the ${provider} provider check did not finish within ${Math.round(timeoutMs / 1000)} s (a driver that hangs while starting)` };
  if (typeof error?.signal === 'string' && error.signal) return { ok: false, reason: `the ${provider} provider crashed its check process (${error.signal}) while starting` };
  if (error) return { ok: false, reason: `the ${provider} provider check failed: ${error.message.split('\n')[0]}` };
  return { ok: false, reason: `the ${provider} provider check gave no answer` };
}

/** Runs the check for `provider` in a child process (once per process and script). */
export function checkProviderInChild(provider: string, options: CheckOptions = {}): Promise<ProviderCheck> {
  const script = options.script ?? providerCheckScriptPath();
  const timeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS;
  const key = `${script}\0${provider}`;
  let pending = checked.get(key);
  if (!pending) {
    pending = new Promise<ProviderCheck>((resolve) => {
      execFile(process.execPath, [...childArguments(script), provider], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 << 20 }, (error, stdout) => {
        resolve(readCheckResult(provider, error, String(stdout), timeoutMs));
      });
    });
    checked.set(key, pending);
  }
  return pending;
}
