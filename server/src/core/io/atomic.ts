import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
  await inFolder(path, () => writeThenRename(dirname(path), path, bytes, options));
}

/** Errors of `link` that mean "this file system (or this pair of folders) cannot hard-link". */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

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
    if (NO_LINK.has((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
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
  return join(folder, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

async function linkThenRename(source: string, path: string): Promise<void> {
  const temp = tempName(dirname(path), path);
  await link(source, temp);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function writeThenRename(folder: string, path: string, bytes: Uint8Array | string, options: AtomicWriteOptions): Promise<void> {
  const temp = tempName(folder, path);
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
