/**
 * Shared shapes of dataset findings: one per item while they are few, one aggregated finding when
 * they are many (a dataset of 60,000 images with the wrong mask template must not produce 60,000
 * diagnostics), and short previews of long id lists.
 */
import { relative, isAbsolute, sep } from 'node:path';
import type { Finding } from '../findings';

/** More items than this are reported as one finding. */
export const AGGREGATE_ABOVE = 20;
/** How many items an aggregated finding names. */
export const PREVIEW_COUNT = 10;

/** `a, b, c` or `a, b, … (and 12 more)`. */
export function previewList(items: readonly string[], count = PREVIEW_COUNT): string {
  const shown = items.slice(0, count).map((s) => `\`${s}\``);
  return items.length > count ? `${shown.join(', ')} (and ${items.length - count} more)` : shown.join(', ');
}

export function perItemOrAggregated<T>(
  items: readonly T[],
  one: (item: T) => Finding,
  many: (items: readonly T[]) => Finding,
): Finding[] {
  if (items.length === 0) return [];
  return items.length > AGGREGATE_ABOVE ? [many(items)] : items.map(one);
}

/** A path as a user wrote it: relative to the config's folder when inside it, else absolute. */
export function displayPath(dir: string, file: string): string {
  const rel = relative(dir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
