/**
 * A results file written piece by piece and published atomically: text is appended to a temp file
 * beside the target (buffered, one write in flight), and `commit` renames it into place — readers
 * see the old file or the whole new one, never a partial file, and a big file (per_image.csv of
 * 60,000 images, fusion_changes.csv) never exists as one string in memory.
 */
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathBeside } from '../io/atomic';
import { toWriteError } from '../io/writeErrors';

const FLUSH_CHARS = 1 << 20;

export class SpoolFile {
  private handle: Promise<FileHandle> | undefined;
  private buffered: string[] = [];
  private bufferedChars = 0;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  readonly temp: string;

  /** Nothing touches the disk until the first append. */
  constructor(readonly path: string) {
    this.temp = tempPathBeside(path);
  }

  /** Appends text; resolves once earlier text is on its way (so a fast producer waits for the disk). */
  async append(text: string): Promise<void> {
    if (this.closed) throw new Error(`SpoolFile: ${this.path} was already committed or discarded`);
    this.buffered.push(text);
    this.bufferedChars += text.length;
    if (this.bufferedChars < FLUSH_CHARS) return;
    try {
      await this.flush();
    } catch (err) {
      throw toWriteError(err, this.path);
    }
  }

  /** Writes what is buffered, closes, and renames the temp file to `path`. */
  async commit(): Promise<void> {
    try {
      await this.publish();
    } catch (err) {
      throw toWriteError(err, this.path);
    }
  }

  private async publish(): Promise<void> {
    await this.flush();
    await this.writing;
    this.closed = true;
    const handle = await this.open();
    await handle.close();
    try {
      await rename(this.temp, this.path);
    } catch (err) {
      await unlink(this.temp).catch(() => undefined);
      throw err;
    }
  }

  /** Drops the temp file (after a failure or when there turned out to be nothing to write). */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffered = [];
    await this.writing.catch(() => undefined);
    if (!this.handle) return;
    await (await this.handle.catch(() => undefined))?.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }

  private open(): Promise<FileHandle> {
    this.handle ??= mkdir(dirname(this.path), { recursive: true }).then(() => open(this.temp, 'wx'));
    return this.handle;
  }

  private async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const text = this.buffered.join('');
    this.buffered = [];
    this.bufferedChars = 0;
    const previous = this.writing;
    // writeFile on a handle writes all of `text` at the current position (write may stop short).
    this.writing = previous.then(async () => (await this.open()).writeFile(text, 'utf8'));
    this.writing.catch(() => undefined); // observed by the next append or commit, not unhandled
    await previous;
  }
}

/** Writes `chunks` to `path` atomically (temp file, then rename). */
export async function writeChunksAtomic(path: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  const spool = new SpoolFile(path);
  try {
    for await (const chunk of chunks) await spool.append(chunk);
    await spool.commit();
  } catch (err) {
    await spool.discard();
    throw err;
  }
}
