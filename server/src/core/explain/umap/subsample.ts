/**
 * Above `max_points`, the map shows a sample: each split keeps a share of max_points proportional
 * to its size (largest remainders decide the last places, ties to the split first in alphabetical order), and
 * within a split the images are a seeded uniform draw. The sample is returned in id order.
 */
import { pushAll } from '../../util/arrays';
import { createRandom } from '../../util/random';

export const SUBSAMPLE_RULE = 'above max_points: per split a share proportional to its size (largest remainder), drawn uniformly with the seed';

export function subsampleBySplit<T extends { id: string; split?: string }>(items: readonly T[], maxPoints: number, seed: number): T[] {
  if (items.length <= maxPoints) return [...items];
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = item.split ?? '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(item);
  }
  const keys = [...groups.keys()].sort();
  const exact = keys.map((k) => (maxPoints * groups.get(k)!.length) / items.length);
  const quota = exact.map(Math.floor);
  let left = maxPoints - quota.reduce((a, b) => a + b, 0);
  const byRemainder = keys.map((_, i) => i).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const i of byRemainder) {
    if (left === 0) break;
    quota[i]++;
    left--;
  }
  const random = createRandom(seed);
  const kept: T[] = [];
  keys.forEach((k, i) => {
    const g = [...groups.get(k)!].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    pushAll(kept, random.shuffle(g).slice(0, quota[i]));
  });
  return kept.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
