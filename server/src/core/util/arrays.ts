/**
 * Array helpers for lists whose length comes from the user (config lists, findings, images).
 * Spreading an array into a call (`push(...items)`, `Math.max(...values)`) passes every element
 * as an argument on the stack, and V8 throws `RangeError: Maximum call stack size exceeded` at
 * around 120,000 of them; a config with a 200,000-entry list did exactly that. These loops have no
 * such limit. test/lint/callSpread.test.ts keeps spreads into calls out of the sources.
 */

/** Appends every item of each list to `target` (what `target.push(...a, ...b)` does, for any length); returns `target`. */
export function pushAll<T>(target: T[], ...lists: Iterable<T>[]): T[] {
  for (const items of lists) for (const item of items) target.push(item);
  return target;
}

/** The largest value, or `empty` when there is none (`Math.max(...values)` gives -Infinity there). */
export function maxOf(values: Iterable<number>, empty = -Infinity): number {
  let best: number | undefined;
  for (const v of values) if (best === undefined || v > best || Number.isNaN(v)) best = v;
  return best === undefined ? empty : best;
}

/** The smallest value, or `empty` when there is none (`Math.min(...values)` gives Infinity there). */
export function minOf(values: Iterable<number>, empty = Infinity): number {
  let best: number | undefined;
  for (const v of values) if (best === undefined || v < best || Number.isNaN(v)) best = v;
  return best === undefined ? empty : best;
}
