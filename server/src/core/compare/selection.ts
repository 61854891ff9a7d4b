/**
 * Automated selection: the best method by the mean of the primary metric (never the reference-
 * dependent `fusion:best`), whether it is significantly better than each other method after
 * adjustment, and which images each method segments correctly — by any, by none (the hard
 * cases) — overall and per clinical label.
 */
import type { MetricName } from '../config/types';
import { isBetter } from '../metrics/direction';
import type { MetricValues, PairComparison } from './pairwise';

export interface Selection {
  best_method: string | undefined;
  primary_metric: MetricName;
  /** Mean primary metric per candidate method. */
  means: Record<string, number | undefined>;
  /** Per other method: is the best one significantly better (adjusted p < alpha, higher mean)? */
  significantly_better_than: Record<string, boolean>;
  correct_dice: number;
  /** Images at or above `correct_dice`, per method. */
  correct_images: Record<string, number>;
  correct_by_any: number;
  correct_by_none: number;
  /** Ids that no method segments correctly. */
  hard_cases: string[];
  /** Per label column and value: images, correct per method, hard cases. */
  by_label: Record<string, Record<string, { images: number; correct: Record<string, number>; hard: number }>>;
}

export function selectBest(
  candidates: readonly string[],
  primary: MetricName,
  values: MetricValues,
  comparisons: readonly PairComparison[],
  alpha: number,
  dice: MetricValues,
  correctDice: number,
  labelsOf: (id: string) => Record<string, string>,
  labelColumns: readonly string[],
): Selection {
  const means: Record<string, number | undefined> = {};
  for (const m of candidates) {
    const column = values.of(m);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < column.length; i++) {
      if (Number.isNaN(column[i])) continue;
      sum += column[i];
      n++;
    }
    means[m] = n ? sum / n : undefined;
  }
  // Distances are lower-is-better, rvd best near 0, the others higher-is-better.
  const better = (x: number, y: number) => isBetter(primary, x, y);
  let best: string | undefined;
  for (const m of candidates) {
    const v = means[m];
    if (v === undefined) continue;
    if (best === undefined || better(v, means[best]!)) best = m;
  }
  const significantly: Record<string, boolean> = {};
  if (best) {
    for (const m of candidates) {
      if (m === best) continue;
      const c = comparisons.find((x) => x.metric === primary && ((x.a === best && x.b === m) || (x.a === m && x.b === best)));
      significantly[m] = Boolean(c && c.p_adjusted < alpha && means[m] !== undefined && better(means[best]!, means[m]!));
    }
  }
  // Images with a row of any candidate, by id; an undefined Dice (NaN) is never correct.
  const rows = candidates.map((m) => dice.rows(m));
  const diceOf = candidates.map((m) => dice.of(m));
  const images: number[] = [];
  for (let i = 0; i < dice.ids.length; i++) if (rows.some((r) => r[i])) images.push(i);
  images.sort((a, b) => (dice.ids[a] < dice.ids[b] ? -1 : dice.ids[a] > dice.ids[b] ? 1 : 0));
  const correct: Record<string, number> = Object.fromEntries(candidates.map((m) => [m, 0]));
  const hard: string[] = [];
  const byLabel: Selection['by_label'] = {};
  let byAny = 0;
  for (const i of images) {
    const id = dice.ids[i];
    const ok = candidates.filter((_, k) => diceOf[k][i] >= correctDice);
    for (const m of ok) correct[m]++;
    if (ok.length) byAny++;
    else hard.push(id);
    const labels = labelsOf(id);
    for (const column of labelColumns) {
      const value = labels[column];
      if (value === undefined) continue;
      const slot = ((byLabel[column] ??= {})[value] ??= { images: 0, correct: Object.fromEntries(candidates.map((m) => [m, 0])), hard: 0 });
      slot.images++;
      for (const m of ok) slot.correct[m]++;
      if (!ok.length) slot.hard++;
    }
  }
  return {
    best_method: best,
    primary_metric: primary,
    means,
    significantly_better_than: significantly,
    correct_dice: correctDice,
    correct_images: correct,
    correct_by_any: byAny,
    correct_by_none: hard.length,
    hard_cases: hard,
    by_label: byLabel,
  };
}
