/**
 * One classifier for failed writes: a read-only share, a full disk, an `--output` through a regular
 * file. Such a failure is not a bug of medseg and not a fault of one input, so it is neither an
 * internal error (exit 70, stack trace) nor an InputError that a per-image loop would record and
 * step over: it is a `WriteError` that names the path, the cause and the fix, stops the command,
 * and reaches the user as a finding (`io/unwritable`, `io/disk-full`; the CLI exits 74).
 *
 * The writers (io/atomic, results/spoolFile, results/linkTree) turn errors into WriteErrors at the
 * source with a general fix; an engine entry point that knows its destination (`writingInto`)
 * first probes that the folder can be written, then gives the errors the destination's own fix
 * (`--output`, `--out`). Caches never stop a command: they catch the WriteError and report
 * `runtime/cache-not-saved` instead (`cacheNotSavedFinding`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { ConfigPath, Finding } from '../findings';

export const IO_UNWRITABLE = 'io/unwritable';
export const IO_DISK_FULL = 'io/disk-full';
export const CACHE_NOT_SAVED = 'runtime/cache-not-saved';

interface Cause {
  code: typeof IO_UNWRITABLE | typeof IO_DISK_FULL;
  reason: string;
}

const CAUSES: Record<string, Cause> = {
  ENOSPC: { code: IO_DISK_FULL, reason: 'no space is left on the device' },
  EDQUOT: { code: IO_DISK_FULL, reason: 'the disk quota is used up' },
  EROFS: { code: IO_UNWRITABLE, reason: 'the file system is read-only' },
  EACCES: { code: IO_UNWRITABLE, reason: 'permission denied' },
  EPERM: { code: IO_UNWRITABLE, reason: 'the operation is not permitted' },
  ENOTDIR: { code: IO_UNWRITABLE, reason: 'a part of the path is a file, not a folder' },
  EISDIR: { code: IO_UNWRITABLE, reason: 'a folder is in the place of the file' },
  // mkdir of a path that exists as a file (`--output results.txt`).
  EEXIST: { code: IO_UNWRITABLE, reason: 'a file is in the place of a folder' },
  ENAMETOOLONG: { code: IO_UNWRITABLE, reason: 'the path is too long for the file system' },
};

const GENERAL_FIX: Record<Cause['code'], string> = {
  [IO_DISK_FULL]: 'Free space on that disk, or write somewhere else.',
  [IO_UNWRITABLE]: 'Write somewhere else, or make the folder writable.',
};

export interface WriteErrorDetails {
  /** What the user can do; the general fix for the cause when absent. */
  fix?: string;
  /** The config key that chooses this destination, when one does (`['runtime', 'cache']`). */
  configPath?: ConfigPath;
  /** Whether `fix` is the destination's own (set by `writingInto`) rather than the general one. */
  specific?: boolean;
  /** What the failure did to files already there (a stale report.html removed). */
  note?: string;
}

/** A write that the file system refused; the message names the path, the cause and the fix. */
export class WriteError extends Error {
  override readonly name = 'WriteError';
  readonly fix: string;
  constructor(
    /** The path that could not be written (the folder that could not be made, when that failed). */
    readonly file: string,
    readonly code: Cause['code'],
    /** The system error code (ENOSPC, EROFS, …). */
    readonly errno: string,
    readonly reason: string,
    readonly details: WriteErrorDetails = {},
  ) {
    const fix = details.fix ?? GENERAL_FIX[code];
    super(`${file} cannot be written: ${reason} (${errno}). ${fix}${details.note ? ` ${details.note}` : ''}`);
    this.fix = fix;
  }

  get specific(): boolean {
    return this.details.specific === true;
  }

  /** The same failure with the fix of the destination it happened in. */
  withFix(fix: string, configPath?: ConfigPath): WriteError {
    return new WriteError(this.file, this.code, this.errno, this.reason, { ...this.details, fix, configPath, specific: true });
  }

  /** The same failure, saying what it did to files already there. */
  withNote(note: string): WriteError {
    return new WriteError(this.file, this.code, this.errno, this.reason, { ...this.details, note: this.details.note ? `${this.details.note} ${note}` : note });
  }

  toFinding(configFile?: string): Finding {
    const configPath = this.details.configPath;
    return {
      code: this.code,
      severity: 'error',
      message: this.message,
      location: { file: configPath && configFile ? configFile : this.file },
      ...(configPath ? { configPath } : {}),
    };
  }
}

/** The cause of a failed file-system call when it is one of a destination (full, read-only, in the way); else undefined. */
export function classifyWriteError(error: unknown): (Cause & { errno: string }) | undefined {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno !== 'string' || !(error instanceof Error)) return undefined;
  const cause = CAUSES[errno];
  return cause ? { ...cause, errno } : undefined;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** System calls that only write; an `open` may be a read, so an unattributed one is left alone. */
const WRITE_SYSCALLS = new Set(['mkdir', 'write', 'rename', 'link', 'unlink', 'copyfile', 'symlink', 'rmdir', 'ftruncate', 'fsync']);

/**
 * `error` as a WriteError when the file system refused a write of `target` (the error's own path
 * when it is a folder above `target`: the mkdir that failed); any other error unchanged. Without
 * `target` (an error that escaped a writer outside io/), only the failures of calls that write.
 */
export function toWriteError(error: unknown, target?: string): unknown {
  if (error instanceof WriteError) return error;
  const cause = classifyWriteError(error);
  if (!cause) return error;
  const e = error as NodeJS.ErrnoException;
  const own = e.path;
  let file: string | undefined;
  if (target === undefined) file = own && WRITE_SYSCALLS.has(e.syscall ?? '') ? own : undefined;
  // A temp file beside the target is an implementation detail: the user knows the target.
  else file = own && own !== target && isInside(target, own) ? own : target;
  return file ? new WriteError(file, cause.code, cause.errno, cause.reason) : error;
}

/** A folder the command writes into, and what to do when it cannot be written. */
export interface Destination {
  dir: string;
  fix: string;
  /** The config key that chooses the folder, if one does. */
  configPath?: ConfigPath;
}

function inDestination(error: unknown, dest: Destination): unknown {
  if (error instanceof WriteError) return error.specific ? error : error.withFix(dest.fix, dest.configPath);
  const own = (error as NodeJS.ErrnoException | undefined)?.path;
  // A raw failure of any call (a lock file's open too) on a path in or above the destination.
  const attributable = typeof own === 'string' && (isInside(own, dest.dir) || isInside(dest.dir, own));
  const w = toWriteError(error, attributable ? own : undefined);
  return w instanceof WriteError ? w.withFix(dest.fix, dest.configPath) : w;
}

/**
 * Checks that `dest.dir` can be created and written (a file is created and removed), so a read-only
 * share or an `--output` through a file is refused before any work, with the destination's fix.
 */
export async function probeWritable(dest: Destination): Promise<void> {
  try {
    await mkdir(dest.dir, { recursive: true });
    const probe = join(dest.dir, `.medseg-write-probe.${process.pid}.${randomBytes(4).toString('hex')}`);
    await writeFile(probe, '', { flag: 'wx' });
    await unlink(probe);
  } catch (error) {
    throw inDestination(toWriteError(error, dest.dir), dest);
  }
}

/**
 * Runs `work`, which writes into `dest`: first the probe (unless `probe: false`), then the work,
 * whose WriteErrors get the destination's fix. Other errors pass unchanged.
 */
export async function writingInto<T>(dest: Destination, work: () => Promise<T>, options: { probe?: boolean } = {}): Promise<T> {
  if (options.probe !== false) await probeWritable(dest);
  try {
    return await work();
  } catch (error) {
    throw inDestination(error, dest);
  }
}

/** A results folder (`<output>/<name>`, or `--output`) as a destination. */
export function resultsDestination(dir: string): Destination {
  return { dir, fix: `Choose a writable results folder: \`--output DIR\` on the command line, or \`output:\` in the config (this run writes to ${dir}).` };
}

/** The fix for a cache folder that cannot be written. */
export const CACHE_FIX = 'Set `runtime.cache` in the config to a writable folder (e.g. an absolute path on a local disk).';

/**
 * A cache that could not be saved: a warning, never a stopped command. A read-only dataset share
 * with the default cache beside the config validates and evaluates; only the next run is slower.
 */
export function cacheNotSavedFinding(error: WriteError, what: string, cacheDir: string, configFile: string): Finding {
  return {
    code: CACHE_NOT_SAVED,
    severity: 'warning',
    message: `The ${what} was not saved in ${cacheDir}: ${error.file} cannot be written (${error.reason}, ${error.errno}). This run is complete; the next one recomputes what the cache would have kept. ${CACHE_FIX}`,
    location: { file: configFile },
    configPath: ['runtime', 'cache'],
  };
}
