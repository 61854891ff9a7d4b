/**
 * How far image and mask property distributions differ between the splits of an assignment, on
 * the scale of the label objective: for each property and each pair of splits, D²·n·m/(n+m) with
 * D the two-sample Kolmogorov–Smirnov distance. √(n·m/(n+m))·D is what the KS test compares
 * with its critical value (≈ 1.36 at 5 %), so each term is O(1) for splits drawn from one
 * distribution, like each cell of the label chi-square.
 */
import type { DatasetCase } from '../dataset/types';

/** Property name → case id → value; a case without a value takes no part in that property. */
export type CasePropertyValues = Readonly<Record<string, ReadonlyMap<string, number>>>;

interface SortedProperty {
  /** Case indices in increasing order of value. */
  order: Int32Array;
  values: Float64Array;
}

export interface PropertyBalance {
  /** `splitOfCase[i]` is case i's split index in [0, splitCount) or −1 for none. */
  imbalance(splitOfCase: readonly number[], splitCount: number): number;
}

/** Sorts each property once, so that judging many assignments costs one linear sweep each. */
export function preparePropertyBalance(cases: readonly DatasetCase[], properties: CasePropertyValues): PropertyBalance {
  const sorted: SortedProperty[] = Object.values(properties).map((byId) => {
    const present: [number, number][] = [];
    cases.forEach((c, i) => {
      const v = byId.get(c.id);
      if (v !== undefined && Number.isFinite(v)) present.push([i, v]);
    });
    present.sort((a, b) => a[1] - b[1]);
    return { order: Int32Array.from(present, (p) => p[0]), values: Float64Array.from(present, (p) => p[1]) };
  });
  return {
    imbalance(splitOfCase, splitCount) {
      let total = 0;
      const sizes = new Float64Array(splitCount);
      const cumulative = new Float64Array(splitCount);
      const maxGap = new Float64Array(splitCount * splitCount);
      for (const { order, values } of sorted) {
        sizes.fill(0);
        cumulative.fill(0);
        maxGap.fill(0);
        for (let k = 0; k < order.length; k++) {
          const s = splitOfCase[order[k]];
          if (s >= 0) sizes[s]++;
        }
        for (let k = 0; k < order.length; k++) {
          const s = splitOfCase[order[k]];
          if (s >= 0) cumulative[s]++;
          // The empirical CDFs are compared only after the last of a run of tied values.
          if (k + 1 < order.length && values[k + 1] === values[k]) continue;
          for (let a = 0; a < splitCount; a++) {
            if (sizes[a] === 0) continue;
            for (let b = a + 1; b < splitCount; b++) {
              if (sizes[b] === 0) continue;
              const gap = Math.abs(cumulative[a] / sizes[a] - cumulative[b] / sizes[b]);
              if (gap > maxGap[a * splitCount + b]) maxGap[a * splitCount + b] = gap;
            }
          }
        }
        for (let a = 0; a < splitCount; a++)
          for (let b = a + 1; b < splitCount; b++) {
            if (sizes[a] === 0 || sizes[b] === 0) continue;
            const d = maxGap[a * splitCount + b];
            total += (d * d * sizes[a] * sizes[b]) / (sizes[a] + sizes[b]);
          }
      }
      return total;
    },
  };
}
