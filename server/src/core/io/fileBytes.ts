import { readFileSync } from 'node:fs';

/**
 * A whole file's bytes, read with one synchronous call. For the per-case files of an evaluation
 * (PNG/JPEG/TIFF images and masks, cache entries: kilobytes to a few megabytes) the promise-based
 * readFile costs several thread-pool round trips — about 80 µs of CPU per file against 13 µs —
 * and inference runs in a worker thread, so a short blocking read holds nothing up. Errors are
 * rejections, as from fs.promises.readFile. Not for NIfTI volumes, which can be hundreds of MB.
 */
export async function readFileBytes(path: string): Promise<Buffer> {
  return readFileSync(path);
}
