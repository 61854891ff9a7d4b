/**
 * Rankings of methods by mean Dice, and how a ranking changed. Differences below `TIE` count as
 * ties (two methods with identical rows, such as a union of one member, must not "swap" through
 * rounding), and a change is a pair whose order is reversed, never a reshuffle among ties.
 */

export const TIE = 1e-12;

/** Method names, best first; ties keep the given order. Methods without a value go last. */
export function rankMethods(means: ReadonlyMap<string, number | undefined>, order: readonly string[]): string[] {
  const value = (m: string) => means.get(m) ?? -Infinity;
  return order
    .map((m, i) => ({ m, i }))
    .sort((a, b) => {
      const d = value(b.m) - value(a.m);
      return Math.abs(d) > TIE && Number.isFinite(d) ? d : a.i - b.i;
    })
    .map((x) => x.m);
}

/** Pairs [a, b] where a was strictly ahead of b in `before` and b is strictly ahead of a in `after`. */
export function rankSwaps(before: ReadonlyMap<string, number | undefined>, after: ReadonlyMap<string, number | undefined>, methods: readonly string[]): [string, string][] {
  const swaps: [string, string][] = [];
  for (const a of methods)
    for (const b of methods) {
      const [a0, b0, a1, b1] = [before.get(a), before.get(b), after.get(a), after.get(b)];
      if (a0 === undefined || b0 === undefined || a1 === undefined || b1 === undefined) continue;
      if (a0 - b0 > TIE && b1 - a1 > TIE) swaps.push([a, b]);
    }
  return swaps;
}
