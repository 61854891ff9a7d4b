/**
 * Stratified group splits. Groups (a patient from `group_column`; slices of one volume) never
 * cross splits; within that constraint the split sizes follow the ratios and every stratify
 * label keeps its proportions as closely as the groups allow.
 *
 * The objective, also what `splitQuality` returns (lower is better), is a sum of chi-square
 * distances between the counts of each split and the counts its ratio asks for:
 *   sizes:   Σ_s (n_s − r_s·N)² / (r_s·N)
 *   labels:  (1/C) Σ_columns Σ_values Σ_s (c_sv − r_s·m_v)² / (r_s·m_v)   (C = number of columns)
 *   presence: PRESENCE_PENALTY for each split that lacks a label value carried by at least as many
 *             groups as there are splits (a rare diagnosis absent from the test split cannot be
 *             evaluated there, which costs more than a slightly skewed proportion).
 * A greedy pass places groups, largest first (ties in a seeded order), each where it lowers the
 * objective most; single-group moves then improve it until none helps. Several seeds give
 * different local optima: `chooseSplits` keeps the best, judged by the same objective plus, when
 * image and mask properties are known, how far their distributions differ between splits (see
 * ./propertyBalance), and before both by a caller's penalty (the drift findings a split would get).
 * Cases listed together in `together` (exact or near-duplicate images) count as one group.
 */
import { SPLIT_NAMES, type SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { createRandom, deriveSeed } from '../util/random';
import { preparePropertyBalance, type CasePropertyValues } from './propertyBalance';

export interface SplitOptions {
  /** Target share of each split; need not sum to 1 (they are normalised); 0 leaves a split empty. */
  ratios: Record<SplitName, number>;
  /** Label columns (keys of `DatasetCase.labels`) whose proportions to keep. */
  stratify: readonly string[];
  seed: number;
  /** Sets of case ids that must share a split, beyond groups and volumes (duplicate images). */
  together?: readonly (readonly string[])[];
}

export const PRESENCE_PENALTY = 2;
const MAX_IMPROVEMENT_PASSES = 50;
const EPSILON = 1e-12;
/** Stands for a missing label value, which is stratified like any other value. */
const MISSING = '\u0000missing';

interface Group {
  index: number;
  size: number;
  /** [label value index, count] pairs. */
  values: [number, number][];
}

/** The grouped, counted form of a set of cases that both the generator and the quality use. */
interface Problem {
  splits: SplitName[];
  ratios: number[];
  groups: Group[];
  /** Per case (in input order): its group's index and its label value indices. */
  caseGroup: number[];
  caseValues: number[][];
  /** Per label value: total count and its column's weight (1/C). */
  valueTotals: number[];
  valueWeight: number;
  /** Values carried by enough groups that every split can hold one. */
  presenceRequired: boolean[];
  total: number;
}

function buildProblem(
  cases: readonly DatasetCase[],
  ratios: Record<SplitName, number>,
  stratify: readonly string[],
  together: readonly (readonly string[])[] = [],
): Problem {
  const splits = SPLIT_NAMES.filter((s) => ratios[s] > 0);
  const sum = splits.reduce((a, s) => a + ratios[s], 0);
  if (splits.length === 0 || !Number.isFinite(sum)) throw new RangeError('split ratios need at least one positive, finite value');

  // Union–find over cases: one group per patient and per volume, merged where they meet.
  const parent = cases.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const firstWithKey = new Map<string, number>();
  // An id may be in several `together` sets (sets that overlap are one set).
  const linksOf = new Map<string, string[]>();
  together.forEach((ids, k) => ids.forEach((id) => linksOf.set(id, [...(linksOf.get(id) ?? []), `l:${k}`])));
  cases.forEach((c, i) => {
    for (const key of [
      c.group !== undefined ? `g:${c.group}` : undefined,
      c.volume !== undefined ? `v:${c.volume}` : undefined,
      ...(linksOf.get(c.id) ?? []),
    ]) {
      if (key === undefined) continue;
      const j = firstWithKey.get(key);
      if (j === undefined) firstWithKey.set(key, i);
      else parent[find(i)] = find(j);
    }
  });

  const valueIndex = new Map<string, number>();
  const valueTotals: number[] = [];
  const valueGroups: number[] = [];
  const groupOfRoot = new Map<number, number>();
  const groupCounts: Map<number, number>[] = [];
  const groupSizes: number[] = [];
  const caseGroup: number[] = [];
  const caseValues: number[][] = [];
  cases.forEach((c, i) => {
    const root = find(i);
    let g = groupOfRoot.get(root);
    if (g === undefined) {
      g = groupCounts.length;
      groupOfRoot.set(root, g);
      groupCounts.push(new Map());
      groupSizes.push(0);
    }
    caseGroup.push(g);
    groupSizes[g]++;
    const values = stratify.map((column, ci) => {
      const key = `${ci}\u0000${c.labels[column] ?? MISSING}`;
      let k = valueIndex.get(key);
      if (k === undefined) {
        k = valueTotals.length;
        valueIndex.set(key, k);
        valueTotals.push(0);
        valueGroups.push(0);
      }
      valueTotals[k]++;
      groupCounts[g].set(k, (groupCounts[g].get(k) ?? 0) + 1);
      return k;
    });
    caseValues.push(values);
  });
  const groups: Group[] = groupCounts.map((counts, index) => {
    for (const k of counts.keys()) valueGroups[k]++;
    return { index, size: groupSizes[index], values: [...counts] };
  });
  return {
    splits,
    ratios: splits.map((s) => ratios[s] / sum),
    groups,
    caseGroup,
    caseValues,
    valueTotals,
    valueWeight: stratify.length > 0 ? 1 / stratify.length : 0,
    presenceRequired: valueGroups.map((n) => n >= splits.length),
    total: cases.length,
  };
}

/** Running counts of a (partial) assignment, with the objective's change for one group's move. */
class SplitCounts {
  readonly sizes: number[];
  readonly valueCounts: number[][];

  constructor(private readonly p: Problem) {
    this.sizes = p.splits.map(() => 0);
    this.valueCounts = p.splits.map(() => p.valueTotals.map(() => 0));
  }

  /** Change of the objective when `g` joins split `s` (sign = +1) or leaves it (sign = −1). */
  delta(g: Group, s: number, sign: 1 | -1): number {
    const p = this.p;
    const target = p.ratios[s] * p.total;
    const k = g.size;
    let d = (k * k + sign * 2 * k * (this.sizes[s] - target)) / target;
    const counts = this.valueCounts[s];
    for (const [v, c] of g.values) {
      const expected = p.ratios[s] * p.valueTotals[v];
      d += (p.valueWeight * (c * c + sign * 2 * c * (counts[v] - expected))) / expected;
      if (p.presenceRequired[v]) {
        if (sign === 1 && counts[v] === 0) d -= PRESENCE_PENALTY;
        if (sign === -1 && counts[v] === c) d += PRESENCE_PENALTY;
      }
    }
    return d;
  }

  apply(g: Group, s: number, sign: 1 | -1): void {
    this.sizes[s] += sign * g.size;
    for (const [v, c] of g.values) this.valueCounts[s][v] += sign * c;
  }

  objective(): number {
    const p = this.p;
    if (p.total === 0) return 0;
    let cost = 0;
    p.splits.forEach((_, s) => {
      const target = p.ratios[s] * p.total;
      cost += (this.sizes[s] - target) ** 2 / target;
      p.valueTotals.forEach((m, v) => {
        const expected = p.ratios[s] * m;
        cost += (p.valueWeight * (this.valueCounts[s][v] - expected) ** 2) / expected;
        if (p.presenceRequired[v] && this.valueCounts[s][v] === 0) cost += PRESENCE_PENALTY;
      });
    });
    return cost;
  }
}

export function generateSplits(cases: readonly DatasetCase[], options: SplitOptions): Map<string, SplitName> {
  const p = buildProblem(cases, options.ratios, options.stratify, options.together);
  return toAssignment(cases, p, placeGroups(p, options.seed).where);
}

function toAssignment(cases: readonly DatasetCase[], p: Problem, where: readonly number[]): Map<string, SplitName> {
  return new Map(cases.map((c, i) => [c.id, p.splits[where[p.caseGroup[i]]]]));
}

/** Split index per group, and the objective it reaches (equal to `splitQuality` of the result). */
function placeGroups(p: Problem, seed: number): { where: number[]; cost: number } {
  const counts = new SplitCounts(p);
  const order = createRandom(seed).shuffle([...p.groups]);
  // Stable sort: largest first, the seeded shuffle decides among equal sizes.
  order.sort((a, b) => b.size - a.size);
  const where: number[] = p.groups.map(() => -1);

  for (const g of order) {
    let best = 0;
    let bestDelta = Infinity;
    for (let s = 0; s < p.splits.length; s++) {
      const d = counts.delta(g, s, 1);
      const deficit = p.ratios[s] * p.total - counts.sizes[s];
      const bestDeficit = p.ratios[best] * p.total - counts.sizes[best];
      if (d < bestDelta - EPSILON || (Math.abs(d - bestDelta) <= EPSILON && deficit > bestDeficit)) {
        best = s;
        bestDelta = d;
      }
    }
    counts.apply(g, best, 1);
    where[g.index] = best;
  }

  for (let pass = 0; pass < MAX_IMPROVEMENT_PASSES; pass++) {
    let moved = false;
    for (const g of order) {
      const from = where[g.index];
      const leave = counts.delta(g, from, -1);
      let to = from;
      let bestGain = -EPSILON;
      for (let s = 0; s < p.splits.length; s++) {
        if (s === from) continue;
        const change = leave + counts.delta(g, s, 1);
        if (change < bestGain) {
          bestGain = change;
          to = s;
        }
      }
      if (to !== from) {
        counts.apply(g, from, -1);
        counts.apply(g, to, 1);
        where[g.index] = to;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return { where, cost: counts.objective() };
}

export interface QualityOptions extends Pick<SplitOptions, 'ratios' | 'stratify'> {
  /** Image and mask properties per case; adds their between-split imbalance to the quality. */
  properties?: CasePropertyValues;
}

/**
 * The generator's objective for an assignment (see the file comment): 0 for a split exactly on
 * ratio with identical label proportions (and identical property distributions); lower is
 * better. Cases absent from `assignment` are left out.
 */
export function splitQuality(cases: readonly DatasetCase[], assignment: ReadonlyMap<string, SplitName>, options: QualityOptions): number {
  const parts = splitQualityParts(cases, assignment, options);
  return parts.labels + parts.properties;
}

export interface SplitQualityParts {
  /** Sizes, label proportions and presence (the chi-square-like objective). */
  labels: number;
  /** Σ over properties and split pairs of D²·n·m/(n+m), D the two-sample KS distance. */
  properties: number;
}

export function splitQualityParts(cases: readonly DatasetCase[], assignment: ReadonlyMap<string, SplitName>, options: QualityOptions): SplitQualityParts {
  const assigned = cases.filter((c) => {
    const s = assignment.get(c.id);
    return s !== undefined && options.ratios[s] > 0;
  });
  const p = buildProblem(assigned, options.ratios, options.stratify);
  const counts = new SplitCounts(p);
  // Case by case, so that a hand-made split that cuts a group is measured as it is.
  const splitOfCase = assigned.map((c, i) => {
    const s = p.splits.indexOf(assignment.get(c.id)!);
    counts.sizes[s]++;
    for (const v of p.caseValues[i]) counts.valueCounts[s][v]++;
    return s;
  });
  const properties = options.properties ? preparePropertyBalance(assigned, options.properties).imbalance(splitOfCase, p.splits.length) : 0;
  return { labels: counts.objective(), properties };
}

export interface ChooseSplitsOptions extends SplitOptions {
  tries: number;
  properties?: CasePropertyValues;
  /**
   * Judged before the quality: a try with a lower penalty wins whatever its quality (the number
   * of drift findings the split would get, so that a clean split is kept when one is found).
   */
  penalty?: (assignment: ReadonlyMap<string, SplitName>) => number;
  signal?: AbortSignal;
  onTry?: (done: number, tries: number) => void;
}

export interface ChosenSplits {
  assignment: Map<string, SplitName>;
  /** The seed that gave it (the first try uses `seed` itself, try k uses deriveSeed(seed, k)). */
  seed: number;
  tryIndex: number;
  quality: SplitQualityParts;
  penalty: number;
}

/** Tries `tries` seeds and keeps the split with the lowest (penalty, quality); the first wins ties. */
export function chooseSplits(cases: readonly DatasetCase[], options: ChooseSplitsOptions): ChosenSplits {
  const p = buildProblem(cases, options.ratios, options.stratify, options.together);
  const balance = options.properties ? preparePropertyBalance(cases, options.properties) : undefined;
  const tries = Math.max(1, Math.floor(options.tries));
  let best: ChosenSplits | undefined;
  for (let t = 0; t < tries; t++) {
    options.signal?.throwIfAborted();
    const seed = t === 0 ? options.seed : deriveSeed(options.seed, t);
    const placed = placeGroups(p, seed);
    const splitOfCase = p.caseGroup.map((g) => placed.where[g]);
    const quality = { labels: placed.cost, properties: balance ? balance.imbalance(splitOfCase, p.splits.length) : 0 };
    const assignment = toAssignment(cases, p, placed.where);
    const penalty = options.penalty ? options.penalty(assignment) : 0;
    const total = quality.labels + quality.properties;
    if (
      !best ||
      penalty < best.penalty ||
      (penalty === best.penalty && total < best.quality.labels + best.quality.properties - EPSILON)
    ) {
      best = { assignment, seed, tryIndex: t, quality, penalty };
    }
    options.onTry?.(t + 1, tries);
  }
  return best!;
}

/** Tries `tries` seeds (the first is `seed` itself) and keeps the split with the lowest quality. */
export function generateBestSplits(cases: readonly DatasetCase[], options: SplitOptions & { tries: number; properties?: CasePropertyValues }): Map<string, SplitName> {
  return chooseSplits(cases, options).assignment;
}
