import { Gunzip, gunzipSync } from 'fflate';
import type { FileHandle } from 'node:fs/promises';
import { unreadable } from './errors';

/** Files are sniffed, not trusted by name: tools do write plain `.nii.gz` and gzipped `.nii` files. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzipWhole(file: string, bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw unreadable(file, 'gzip file', error);
  }
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
    this.step = Math.min(this.step * 2, 1 << 20);
    const chunk = buffer.subarray(0, bytesRead);
    const final = bytesRead === 0;
    if (firstRead && isGzip(chunk)) {
      this.gunzip = new Gunzip((data) => this.take(data));
    }
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
