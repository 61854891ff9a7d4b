/**
 * Membership of a sample value in a list of labels, as a table lookup where the sample type
 * allows (8/16-bit integers: one byte per possible value), so a per-pixel test costs no hashing.
 */
import type { PixelArray } from './types';

/** `table[v + offset]` is 1 for the listed values a sample of this type can hold. */
export interface ValueTable {
  table: Uint8Array;
  offset: number;
}

/** The lookup table for 8/16-bit samples (uint8, uint16, int16); undefined for wider types. */
export function valueTable(values: Iterable<number>, data: PixelArray): ValueTable | undefined {
  const range = data instanceof Uint8Array ? [0, 256] : data instanceof Uint16Array ? [0, 65536] : data instanceof Int16Array ? [-32768, 32768] : undefined;
  if (!range) return undefined;
  const [lo, hi] = range;
  const table = new Uint8Array(hi - lo);
  for (const v of values) if (Number.isInteger(v) && v >= lo && v < hi) table[v - lo] = 1;
  return { table, offset: -lo };
}

/** Whether a sample of `data` is one of `values`; NaN is in no list. */
export function valueTest(values: Iterable<number>, data: PixelArray): (value: number) => boolean {
  const lookup = valueTable(values, data);
  if (lookup) {
    const { table, offset } = lookup;
    return offset === 0 ? (v) => table[v] === 1 : (v) => table[v + offset] === 1;
  }
  const set = new Set(values);
  return (v) => set.has(v);
}
