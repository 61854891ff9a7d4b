/**
 * Facts read from files the config names, cached by size and modification time: the clinical
 * CSV's header (label column completion) and an ONNX model's description (hover).
 */
import { open, stat } from 'node:fs/promises';
import { parseCsvTable } from '../../core/dataset/csvTable';
import { readModelInfo, type ModelInfo } from '../../core/onnx';

const HEADER_BYTES = 64 * 1024;

interface Cached<T> {
  stamp: string;
  value: T;
}

async function stampOf(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file);
    return s.isFile() ? `${s.size}:${s.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

function cachedByStamp<T>(read: (file: string) => Promise<T>): (file: string) => Promise<T | undefined> {
  const cache = new Map<string, Cached<T>>();
  return async (file) => {
    const stamp = await stampOf(file);
    if (stamp === undefined) return undefined;
    const hit = cache.get(file);
    if (hit?.stamp === stamp) return hit.value;
    const value = await read(file);
    cache.set(file, { stamp, value });
    return value;
  };
}

/** Column names of a CSV, from its first line only (a 60,000-row CSV is not parsed for a completion). */
export const csvHeaderOf = cachedByStamp(async (file: string): Promise<string[]> => {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    const bytes = buffer.subarray(0, bytesRead);
    const nl = bytes.indexOf(0x0a);
    try {
      return parseCsvTable(file, nl >= 0 ? bytes.subarray(0, nl + 1) : bytes).header;
    } catch {
      return [];
    }
  } finally {
    await handle.close();
  }
});

/** Model metadata, or the reason it cannot be read. */
export const modelInfoOf = cachedByStamp(async (file: string): Promise<ModelInfo | Error> => {
  try {
    return await readModelInfo(file);
  } catch (err) {
    return err as Error;
  }
});
