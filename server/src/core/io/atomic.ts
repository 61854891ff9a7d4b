import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { toWriteError } from './writeErrors';

/**
 * Files smaller than this are written with synchronous calls: four promise-based calls (open,
 * write, close, rename) cost 0.49 ms of CPU per 20 KB file in thread-pool round trips against
 * 0.30 ms made directly (bench/io-costs.ts), and an evaluation writes several files per image. The
 * inference runs in a worker thread, so these short calls do not hold it up.
 */
const SYNC_WRITE_LIMIT = 4 << 20;

/** Temp names: one random token per process (pids repeat across machines sharing a folder) and a counter. */
const TEMP_TOKEN = `${process.pid}.${randomBytes(4).toString('hex')}`;
let tempCounter = 0;

// Folders this process has created or found: an evaluation writes thousands of files into a few
// folders, and a recursive mkdir per file was a measurable share of its time. A folder removed
// behind our back makes the open fail with ENOENT, which is retried once after a real mkdir.
const knownFolders = new Set<string>();

export interface AtomicWriteOptions {
  /** Flush to disk before the rename; costs a disk round trip, so off unless a crash must not lose the file. */
  fsync?: boolean;
}

/**
 * Writes a file so readers see either the old content or the whole new content, never a partial
 * file: an interrupted run leaves at worst a stray temp file, and a resumed run trusts what exists.
 * The temp file lives in the target folder because rename is only atomic within one file system.
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  try {
    await inFolder(path, () => writeThenRename(dirname(path), path, bytes, options));
  } catch (error) {
    throw toWriteError(error, path);
  }
}

/** Errors of `link` that mean "this file system (or this pair of folders) cannot hard-link". */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/** Whether a `link` failure means the two places cannot share a file (copy instead), not a real error. */
export function cannotLink(error: unknown): boolean {
  return NO_LINK.has((error as NodeJS.ErrnoException).code ?? '');
}

/**
 * Makes `path` a hard link to the existing file `source`, replacing `path` atomically (link to a
 * temp name, then rename). Returns false, having changed nothing, where the file system cannot
 * link (another device, no hard links): the caller then writes the bytes itself.
 */
export async function linkFileAtomic(source: string, path: string): Promise<boolean> {
  try {
    await inFolder(path, () => linkThenRename(source, path));
    return true;
  } catch (error) {
    if (cannotLink(error)) return false;
    throw toWriteError(error, path);
  }
}

/** Runs a write into `path`'s folder, creating the folder once (and again if it vanished). */
async function inFolder(path: string, write: () => Promise<void>): Promise<void> {
  const folder = dirname(path);
  if (!knownFolders.has(folder)) {
    await mkdir(folder, { recursive: true });
    knownFolders.add(folder);
  }
  try {
    await write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    knownFolders.delete(folder);
    await mkdir(folder, { recursive: true });
    knownFolders.add(folder);
    await write();
  }
}

function tempName(folder: string, path: string): string {
  return join(folder, `.${basename(path)}.${TEMP_TOKEN}.${tempCounter++}.tmp`);
}

/** A temp name beside `path` (same folder, so a rename onto `path` is atomic), unique per process and call. */
export function tempPathBeside(path: string): string {
  return tempName(dirname(path), path);
}

async function linkThenRename(source: string, path: string): Promise<void> {
  placeLinkSync(source, path);
}

/**
 * Makes `path` a hard link to `source`, atomically: a new name is linked directly; an existing
 * `path` that already is `source`'s file is left as it is; any other is replaced by a link made
 * under a temp name and renamed onto it. rename(2) onto another link of the same file does nothing
 * and succeeds, leaving the temp name behind (one hidden file per result and rerun), so the temp is
 * removed after the rename as well: another writer may have linked the same file in between.
 */
export function placeLinkSync(source: string, path: string, link: (existing: string, created: string) => void = linkSync): void {
  try {
    link(source, path);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (sameFile(source, path)) return;
  const temp = tempPathBeside(path);
  link(source, temp);
  renameOrRemove(temp, path);
  removeIfPresent(temp);
}

function sameFile(a: string, b: string): boolean {
  const x = statSync(a);
  const y = statSync(b);
  return x.ino === y.ino && x.dev === y.dev;
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Renames `temp` onto `path`; on failure removes `temp` and rethrows. */
export function renameOrRemove(temp: string, path: string): void {
  try {
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw error;
  }
}

async function writeThenRename(folder: string, path: string, bytes: Uint8Array | string, options: AtomicWriteOptions): Promise<void> {
  const temp = tempName(folder, path);
  const size = typeof bytes === 'string' ? 3 * bytes.length : bytes.byteLength; // UTF-8 bytes at most
  if (!options.fsync && size < SYNC_WRITE_LIMIT) {
    try {
      writeFileSync(temp, bytes, { flag: 'wx' });
    } catch (error) {
      try {
        unlinkSync(temp);
      } catch {
        // never created
      }
      throw error;
    }
    renameOrRemove(temp, path);
    return;
  }
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
