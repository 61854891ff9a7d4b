/**
 * One writer per results folder. Two runs into one folder (two configs with the same output, the
 * editor and a terminal) interleaved their files with no word; each writer now holds
 * `<folder>/.medseg.lock` while it writes, and a second one is refused with a message naming the
 * holder. The lock file records pid, host, start time and command; a lock whose pid is dead on this
 * host (a run killed with -9, a machine that rebooted) is stale and taken over, and the hidden temp
 * files that run left behind are removed then.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../findings';

export const LOCK_FILE = '.medseg.lock';
export const LOCKED_CODE = 'results/locked';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  started: string;
  /** What holds it (`medseg evaluate exp.medseg.yaml`, `medseg/evaluate (editor)`). */
  command: string;
  /** Tells this holder's lock from a later one with the same pid. */
  token: string;
}

export interface ResultsLock {
  /** The results folder (absolute). */
  readonly dir: string;
  readonly holder: LockHolder;
  /** Temp files of a dead run removed when its stale lock was taken over. */
  readonly staleTempsRemoved: number;
  /** Gives the folder back; a lock passed down from a caller is left to that caller. */
  release(): void;
}

/** Temp names of io/atomic (`.<name>.<pid>.<8 hex>.<n>.tmp`); the pid tells whose they are. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.\d+\.tmp$/;

/** Whether process `pid` runs on this machine (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

function isStale(h: LockHolder | undefined): boolean {
  // An unreadable lock cannot be half-written (it is linked into place whole): it is debris.
  return !h || (h.host === hostname() && !processAlive(h.pid));
}

/**
 * Takes the lock of `dir` for `command`, or returns `held` when the caller already holds this
 * folder's lock (stress evaluating first). Throws an InputError (`results/locked`) naming the
 * holder when another live run holds it.
 */
export async function acquireResultsLock(dir: string, command: string, held?: ResultsLock): Promise<ResultsLock> {
  const folder = resolve(dir);
  if (held && held.dir === folder) return { ...held, release: () => undefined };
  await mkdir(folder, { recursive: true });
  const file = join(folder, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command, token: randomBytes(8).toString('hex') };
  let staleTempsRemoved = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, holder)) {
      return { dir: folder, holder, staleTempsRemoved, release: () => releaseLock(file, holder.token) };
    }
    const current = readHolder(file);
    if (!isStale(current)) throw lockedError(folder, file, current!);
    if (takeOverStale(file, current)) staleTempsRemoved += removeDeadTemps(folder);
  }
  const current = readHolder(file);
  throw lockedError(folder, file, current ?? { pid: 0, host: '?', started: '?', command: 'another run', token: '' });
}

/** Runs `work` while holding `dir`'s lock (or the caller's `held` one), and releases it after, also on errors and aborts. */
export async function withResultsLock<T>(dir: string, command: string, work: (lock: ResultsLock) => Promise<T>, held?: ResultsLock): Promise<T> {
  const lock = await acquireResultsLock(dir, command, held);
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}

/** Creates the lock file with its whole content at once: written under a temp name, then linked (fails if it exists). */
function tryCreate(file: string, holder: LockHolder): boolean {
  const temp = `${file}.${holder.token}.${process.pid}.new`;
  writeFileSync(temp, JSON.stringify(holder) + '\n', { flag: 'wx' });
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Moves a stale lock aside and checks that what moved is the stale one: two runs may find the same
 * stale lock, and the slower must not remove the lock the faster has just taken (it puts it back).
 */
function takeOverStale(file: string, stale: LockHolder | undefined): boolean {
  const aside = `${file}.${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // someone else took it over
    throw err;
  }
  const moved = readHolder(aside);
  if (moved?.token !== stale?.token) {
    try {
      linkSync(aside, file);
    } catch {
      // a third run has taken the folder meanwhile: its lock stands
    }
  }
  unlinkSync(aside);
  return moved?.token === stale?.token;
}

function releaseLock(file: string, token: string): void {
  // Only our own lock: after a takeover (our pid looked dead from another host) it may be another's.
  if (readHolder(file)?.token !== token) return;
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Removes temp files of processes that are not running (the run whose stale lock was taken over); returns how many. */
function removeDeadTemps(folder: string): number {
  let removed = 0;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else {
        const m = TEMP_NAME.exec(e.name);
        if (!m || processAlive(Number(m[1]))) continue;
        try {
          unlinkSync(path);
          removed++;
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  walk(folder);
  return removed;
}

function lockedError(folder: string, file: string, h: LockHolder): InputError {
  const where = h.host === hostname() ? `pid ${h.pid}` : `pid ${h.pid} on ${h.host}`;
  return new InputError(
    file,
    `The results folder ${folder} is in use by another run: ${h.command} (${where}, since ${h.started}). Wait until it has finished, or write elsewhere (\`--output\`, or another \`name\`); if that run is no longer running, delete ${file}.`,
    LOCKED_CODE,
  );
}
