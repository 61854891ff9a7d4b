/**
 * Choosing among methods by Dice. Two different questions, kept apart on purpose:
 * - bestOf answers "which method was best on this image?" with the reference in hand: the
 *   `fusion:best` row of RESULTS.md, an upper bound, never a deployable model;
 * - chooseFusionOnValidation answers "which method would we deploy?" from validation images only.
 */

export interface DiceCandidate {
  method: string;
  dice: number | undefined;
}

/**
 * The candidate with the highest Dice; ties go to the first in the given order (config order).
 * An undefined (or NaN) Dice never wins unless every Dice is undefined, then the first candidate
 * wins. Undefined only for an empty list.
 */
export function bestOf<T extends DiceCandidate>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) {
    if (best === undefined) {
      best = candidate;
      continue;
    }
    if (isDefined(candidate.dice) && (!isDefined(best.dice) || candidate.dice > best.dice)) best = candidate;
  }
  return best;
}

export interface ValidationChoice {
  /** The method to deploy; undefined only when there are no candidates. */
  method: string | undefined;
  /** Mean validation Dice per candidate over its defined values; undefined when it has none. */
  means: Record<string, number | undefined>;
}

/**
 * Picks the fusion (or model) to deploy: the candidate with the highest mean Dice on the
 * VALIDATION split, ties to the first candidate. Pass validation Dice only: choosing on the test
 * split would make the test estimate of the chosen method optimistically biased, so the test
 * split must never feed this choice; it is then evaluated once, on test.
 */
export function chooseFusionOnValidation(
  perMethodValDice: Readonly<Record<string, readonly (number | undefined)[]>>,
  candidates: readonly string[],
): ValidationChoice {
  const means: Record<string, number | undefined> = {};
  for (const method of candidates) means[method] = meanOfDefined(Object.hasOwn(perMethodValDice, method) ? perMethodValDice[method] : []);
  const winner = bestOf(candidates.map((method) => ({ method, dice: means[method] })));
  return { method: winner?.method, means };
}

function isDefined(value: number | undefined): value is number {
  return value !== undefined && !Number.isNaN(value);
}

function meanOfDefined(values: readonly (number | undefined)[]): number | undefined {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!isDefined(v)) continue;
    sum += v;
    n++;
  }
  return n === 0 ? undefined : sum / n;
}
