/**
 * The clinical side of a synthetic data set: who the patients are, how many images each has, and
 * clinical labels with deliberately uneven frequencies (common, uncommon and rare values).
 */
import type { SeededRandom } from './random';

export type DemoSplit = 'train' | 'val' | 'test';

export interface DemoCase {
  /** The image id as CSVs and results name it. */
  id: string;
  patientId: string;
  labels: Record<string, string>;
}

/**
 * Splits `total` into counts proportional to `shares` (largest remainder), giving every value at
 * least one when there is room, so rare values exist even in a small data set.
 */
export function allocateCounts<T extends string>(total: number, shares: Readonly<Record<T, number>>): Record<T, number> {
  const keys = Object.keys(shares) as T[];
  const sum = keys.reduce((s, k) => s + shares[k], 0);
  const floor = total >= keys.length ? 1 : 0;
  const counts = {} as Record<T, number>;
  let left = total;
  for (const k of keys) {
    counts[k] = Math.max(floor, Math.floor((total * shares[k]) / sum));
    left -= counts[k];
  }
  // Remaining units go to the values furthest below their exact share (a value lifted to the floor is not).
  const byRemainder = [...keys].sort((a, b) => (total * shares[b]) / sum - counts[b] - ((total * shares[a]) / sum - counts[a]));
  for (let i = 0; left > 0; i++, left--) counts[byRemainder[i % keys.length]]++;
  // The floor can overshoot for tiny totals: take the excess back from the most common values.
  const byShare = [...keys].sort((a, b) => shares[b] - shares[a]);
  for (let i = 0; left < 0; i++) {
    const k = byShare[i % keys.length];
    if (counts[k] > floor) {
      counts[k]--;
      left++;
    }
  }
  return counts;
}

/** `total` values with exactly the allocated counts, in random order. */
export function shuffledLabels<T extends string>(rng: SeededRandom, total: number, shares: Readonly<Record<T, number>>): T[] {
  const counts = allocateCounts(total, shares);
  const out: T[] = [];
  for (const k of Object.keys(counts) as T[]) for (let i = 0; i < counts[k]; i++) out.push(k);
  return rng.shuffled(out);
}

/** Images per patient, each in [min, max], summing to exactly `total`. */
export function patientSizes(rng: SeededRandom, total: number, min: number, max: number): number[] {
  const sizes: number[] = [];
  let left = total;
  while (left > 0) {
    const size = Math.min(left, rng.int(min, max));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

export function scaledCount(base: number, scale: number, minimum: number): number {
  return Math.max(minimum, Math.round(base * scale));
}

export function padded(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
