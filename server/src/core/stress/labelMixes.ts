/**
 * Label-mix scenarios: the test split resampled to skewed, long-tailed mixes of one clinical
 * label column, so a user sees how each method would fare on a population whose label mix differs
 * from the test split's (a referral centre with more melanomas, a screening programme with none).
 *
 * A scenario fixes the share of every label value; the number of images per value is then exact
 * (largest-remainder rounding of share × sample size), and images are drawn within each value
 * uniformly with replacement, so repeats differ only in which images of a value are drawn.
 */
import type { Random } from '../util/random';

export const LABEL_MIX_KINDS = ['zipf', 'dominant', 'rare_oversampled', 'removed'] as const;
export type LabelMixKind = (typeof LABEL_MIX_KINDS)[number];

/** Exponent of the Zipf mix: share of the k-th most frequent value ∝ 1 / k^s. */
export const ZIPF_EXPONENT = 1.5;
/** Share of the dominant value in a `dominant` mix. */
export const DOMINANT_SHARE = 0.8;

/** How often each label value occurs in the split, most frequent first (ties by value). */
export interface LabelFrequency {
  value: string;
  images: number;
}

export interface MixScenario {
  /** `zipf`, `dominant:<value>`, `rare_oversampled`, `removed:<value>`. */
  name: string;
  column: string;
  kind: LabelMixKind;
  /** The value made dominant, oversampled or removed. */
  label?: string;
  /** Target share per label value, in frequency order; sums to 1. */
  shares: { value: string; share: number }[];
}

/** Values of one column over the given images, most frequent first; images without the label are left out. */
export function labelFrequencies(labels: readonly (string | undefined)[]): LabelFrequency[] {
  const counts = new Map<string, number>();
  for (const v of labels) if (v !== undefined && v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .map(([value, images]) => ({ value, images }))
    .sort((a, b) => b.images - a.images || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

function normalised(freq: readonly LabelFrequency[], weights: readonly number[]): MixScenario['shares'] {
  const total = weights.reduce((a, w) => a + w, 0);
  return freq.map((f, i) => ({ value: f.value, share: weights[i] / total }));
}

/**
 * The scenarios of one kind on one column. `dominant` and `removed` give one scenario per label
 * value (each value in turn), because which value becomes common is the question; a column with
 * fewer than two values has no mix to change and gives none.
 */
export function mixScenarios(column: string, kind: LabelMixKind, freq: readonly LabelFrequency[]): MixScenario[] {
  if (freq.length < 2) return [];
  const counts = freq.map((f) => f.images);
  switch (kind) {
    case 'zipf':
      return [{ name: 'zipf', column, kind, shares: normalised(freq, freq.map((_, k) => 1 / (k + 1) ** ZIPF_EXPONENT)) }];
    case 'dominant':
      return freq.map((f, i) => {
        // The others keep their relative frequencies within the remaining share.
        const rest = counts.reduce((a, c, j) => (j === i ? a : a + c), 0);
        const shares = freq.map((g, j) => ({ value: g.value, share: j === i ? DOMINANT_SHARE : ((1 - DOMINANT_SHARE) * counts[j]) / rest }));
        return { name: `dominant:${f.value}`, column, kind, label: f.value, shares };
      });
    case 'rare_oversampled': {
      const rarest = freq.length - 1;
      const weights = counts.map((c, j) => (j === rarest ? counts[0] : c));
      return [{ name: 'rare_oversampled', column, kind, label: freq[rarest].value, shares: normalised(freq, weights) }];
    }
    case 'removed':
      return freq.map((f, i) => ({
        name: `removed:${f.value}`,
        column,
        kind,
        label: f.value,
        shares: normalised(freq, counts.map((c, j) => (j === i ? 0 : c))),
      }));
  }
}

/**
 * Images per value for a sample of `n`: floor(share × n), then the images left over go to the
 * largest remainders (ties to the more frequent value), so the counts sum to exactly n.
 */
export function targetCounts(shares: readonly { share: number }[], n: number): number[] {
  const exact = shares.map((s) => s.share * n);
  const counts = exact.map((x) => Math.floor(x + 1e-9));
  let left = n - counts.reduce((a, c) => a + c, 0);
  const order = exact.map((x, i) => ({ i, rem: x - Math.floor(x + 1e-9) })).filter((o) => shares[o.i].share > 0);
  order.sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) counts[order[k].i]++;
  return counts;
}

/**
 * One resample: `counts[v]` images drawn with replacement from `pools[v]` (the ids of value v), in
 * value order. Returns the drawn ids with their multiplicity.
 */
export function drawMix(pools: readonly (readonly string[])[], counts: readonly number[], random: Random): Map<string, number> {
  const drawn = new Map<string, number>();
  pools.forEach((pool, v) => {
    if (counts[v] > 0 && pool.length === 0) throw new RangeError(`drawMix: value ${v} has no image to draw ${counts[v]} from`);
    for (let k = 0; k < counts[v]; k++) {
      const id = pool[random.int(pool.length)];
      drawn.set(id, (drawn.get(id) ?? 0) + 1);
    }
  });
  return drawn;
}

