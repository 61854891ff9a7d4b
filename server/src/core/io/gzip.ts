import { Gunzip } from 'fflate';
import type { FileHandle } from 'node:fs/promises';
import { constants as bufferConstants } from 'node:buffer';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { unreadable } from './errors';

/**
 * Compressed bytes handed to the streaming inflater at once. Deflate expands at most ~1032:1, so
 * one push of 64 KiB yields at most ~66 MB: a gzip bomb can overshoot a wanted prefix by that
 * much, never by gigabytes.
 */
const MAX_GZIP_PUSH = 64 * 1024;

/** The most bytes one read may produce (Node's Buffer limit); larger headers are refused before inflating. */
export const MAX_INFLATED_BYTES = bufferConstants.MAX_LENGTH;

/** Files are sniffed, not trusted by name: tools do write plain `.nii.gz` and gzipped `.nii` files. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates a gzip file, stopping once more than `limit` bytes came out: then `more` is true and
 * `data` undefined. The size stored in the gzip trailer is not used: it is the size modulo 4 GiB,
 * and a hostile file can state anything there. A stream cut short gives what it holds.
 */
export function gunzipUpTo(file: string, bytes: Uint8Array, limit: number): { data: Uint8Array; more: false } | { data: undefined; more: true } {
  try {
    // One output chunk of the expected size (no copies), bounded so the limit is seen at once.
    const chunkSize = Math.max(64, Math.min(limit + 1, 1 << 30));
    const data = gunzipSync(bytes, { maxOutputLength: Math.max(1, limit), chunkSize, finishFlush: zlibConstants.Z_SYNC_FLUSH });
    return { data, more: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { data: undefined, more: true };
    throw unreadable(file, 'gzip file', error);
  }
}

/** The first `count` inflated bytes of an in-memory gzip file (fewer when it holds fewer), inflating little more. */
export function gunzipPrefix(file: string, bytes: Uint8Array, count: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let have = 0;
  const gunzip = new Gunzip((data) => {
    chunks.push(data);
    have += data.length;
  });
  try {
    // Small pushes first: a header is usually in the first few kilobytes.
    for (let at = 0, step = 4096; at < bytes.length && have < count; at += step, step = Math.min(step * 2, MAX_GZIP_PUSH)) {
      gunzip.push(bytes.subarray(at, at + step), at + step >= bytes.length);
    }
  } catch (error) {
    // A damaged stream past the header is the whole read's business; one before it is this one's.
    if (have < count) throw unreadable(file, 'gzip file', error);
  }
  return concat(chunks, have);
}

/**
 * Reads the leading bytes of a file, inflating it on the fly when it is gzipped, and stops as soon
 * as enough bytes are there. Header reads and single-slice reads of large `.nii.gz` volumes then cost
 * a few kilobytes of inflation instead of the whole volume.
 */
export class PrefixReader {
  private readonly chunks: Uint8Array[] = [];
  private available = 0;
  private fileOffset = 0;
  private ended = false;
  private gunzip: Gunzip | undefined;
  private joined: Uint8Array | undefined;
  /** Compressed bytes read per step; grows so long prefixes need few reads. */
  private step = 4096;

  constructor(
    private readonly handle: FileHandle,
    private readonly file: string,
  ) {}

  /** Makes at least `count` bytes available (fewer only when the file ends first); returns how many are. */
  async ensure(count: number): Promise<number> {
    while (this.available < count && !this.ended) await this.readStep();
    return this.available;
  }

  /** Everything read so far as one array (valid until the next `ensure`). */
  bytes(): Uint8Array {
    if (!this.joined || this.joined.length !== this.available) {
      this.joined = concat(this.chunks, this.available);
      this.chunks.length = 0;
      this.chunks.push(this.joined);
    }
    return this.joined;
  }

  private async readStep(): Promise<void> {
    const buffer = new Uint8Array(this.step);
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.fileOffset);
    const firstRead = this.fileOffset === 0;
    this.fileOffset += bytesRead;
    const chunk = buffer.subarray(0, bytesRead);
    const final = bytesRead === 0;
    if (firstRead && isGzip(chunk)) {
      this.gunzip = new Gunzip((data) => this.take(data));
    }
    this.step = Math.min(this.step * 2, this.gunzip ? MAX_GZIP_PUSH : 1 << 20);
    if (this.gunzip) {
      try {
        this.gunzip.push(chunk, final);
      } catch (error) {
        throw unreadable(this.file, 'gzip file', error);
      }
    } else if (bytesRead > 0) {
      this.take(chunk);
    }
    if (final) this.ended = true;
  }

  private take(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.available += data.length;
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].length === total) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
