/**
 * The strength at which a method's mean Dice has fallen by `drop` from its unperturbed value:
 * found between the last level above the target and the first at or below it, by linear
 * interpolation on a graded axis; on an ungraded one (flip variants) the first breaking level
 * itself. Undefined when no tested level drops that far.
 */

export interface DropPoint {
  /** Interpolated strength (graded), or the breaking level's strength (ungraded). */
  strength: number;
  /** Index of the first level at or below the target. */
  levelIndex: number;
}

/** `strengths[0]` / `dice[0]` are the unperturbed point; strengths go from mild to severe. */
export function dropStrength(strengths: readonly number[], dice: readonly (number | undefined)[], drop: number, graded = true): DropPoint | undefined {
  const base = dice[0];
  if (base === undefined) return undefined;
  const target = base - drop;
  let prev = 0;
  for (let i = 1; i < dice.length; i++) {
    const d = dice[i];
    if (d === undefined) continue;
    if (d <= target + 1e-12) {
      if (!graded) return { strength: strengths[i], levelIndex: i };
      const dp = dice[prev]!;
      const t = dp === d ? 1 : (dp - target) / (dp - d);
      return { strength: strengths[prev] + t * (strengths[i] - strengths[prev]), levelIndex: i };
    }
    prev = i;
  }
  return undefined;
}
