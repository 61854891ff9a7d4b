/**
 * The calling thread's scheduling priority. On Linux a thread has a nice value of its own (the
 * kernel schedules threads, and setpriority on a thread id affects that thread alone); elsewhere
 * priorities are per process and this does nothing. Lowering is one-way for an unprivileged
 * process, so callers keep lowered threads apart from others.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The calling thread's id (Linux), from /proc/thread-self → `<pid>/task/<tid>`. */
function threadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Makes the calling thread at least `nice` (19 lowest); true when it now is. */
export function lowerThreadPriority(nice: number): boolean {
  const tid = threadId();
  if (tid === undefined) return false;
  try {
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return getPriority(tid) >= nice;
  } catch {
    return false;
  }
}
