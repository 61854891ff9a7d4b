/**
 * Membership of a sample value in a list of labels, as a table lookup where the sample type
 * allows (8/16-bit integers: one byte per possible value), so a per-pixel test costs no hashing.
 */
import type { PixelArray } from './types';

/** Whether a sample of `data` is one of `values`; NaN is in no list. */
export function valueTest(values: Iterable<number>, data: PixelArray): (value: number) => boolean {
  const set = new Set(values);
  if (data instanceof Uint8Array || data instanceof Uint16Array) {
    const table = new Uint8Array(data instanceof Uint8Array ? 256 : 65536);
    for (const v of set) if (Number.isInteger(v) && v >= 0 && v < table.length) table[v] = 1;
    return (v) => table[v] === 1;
  }
  if (data instanceof Int16Array) {
    const table = new Uint8Array(65536);
    for (const v of set) if (Number.isInteger(v) && v >= -32768 && v < 32768) table[v + 32768] = 1;
    return (v) => table[v + 32768] === 1;
  }
  return (v) => set.has(v);
}
