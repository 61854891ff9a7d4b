/**
 * Which cases get heatmaps: `count` of the evaluation split's cases that have a reference mask,
 * evenly spaced in id order (case ⌊k·n/count⌋ for k = 0…count−1), so the choice is stable, spans
 * the split, and needs no seed. Fewer cases than `count`: all of them.
 */
import type { SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { selectCases } from '../evaluate/selectCases';

export const IMAGE_RULE = 'evenly spaced in id order among the split’s cases with a reference mask';

export function pickEvenly<T>(items: readonly T[], count: number): T[] {
  const n = items.length;
  if (count >= n) return [...items];
  return Array.from({ length: Math.max(0, count) }, (_, k) => items[Math.floor((k * n) / count)]);
}

/** `count` cases spread over the split, or every one (`all`). */
export function casesToExplain(cases: readonly DatasetCase[], split: SplitName | 'all', count: number | 'all'): DatasetCase[] {
  const inSplit = selectCases(cases, split);
  return count === 'all' ? inSplit : pickEvenly(inSplit, count);
}

/** For a volume: the axial slice with the most reference pixels (the first of equals), so the map shows the lesion. */
export function sliceWithMostForeground(mask: Uint8Array, width: number, height: number, depth: number): number {
  const plane = width * height;
  let best = 0;
  let bestCount = -1;
  for (let z = 0; z < depth; z++) {
    let count = 0;
    for (let i = z * plane; i < (z + 1) * plane; i++) if (mask[i]) count++;
    if (count > bestCount) {
      best = z;
      bestCount = count;
    }
  }
  return best;
}
