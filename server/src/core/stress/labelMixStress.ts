/**
 * Label-mix stress test over stored per-image results: no inference, only resampling of the
 * split's rows. For each scenario and repeat, a stratified sample of the split's images is drawn;
 * every method is scored on the same sample, so the methods are compared on equal terms, and the
 * ranking per scenario is set against the ranking on the split as it is.
 */
import { summarizeMetric } from '../metrics';
import { quantileSorted } from '../metrics/quantile';
import type { PerImageRow } from '../results/perImage';
import { sha256 } from '../util/hash';
import { createRandom, deriveSeed } from '../util/random';
import { sampleErrorRates, type SampleErrorRates } from './errorRates';
import { drawMix, labelFrequencies, mixScenarios, targetCounts, type LabelMixKind, type MixScenario } from './labelMixes';
import { rankMethods, rankSwaps } from './ranking';
import type { LabelMixSection, MixBaselineResult, MixMethodResult, MixScenarioResult, StatWithInterval } from './types';

export interface LabelMixRequest {
  column: string;
  kind: LabelMixKind;
}

export interface LabelMixOptions {
  mixes: readonly LabelMixRequest[];
  repeats: number;
  seed: number;
  /** Bootstrap of the baseline's Dice interval (the evaluation's settings, so it matches summary.json). */
  bootstrap: number;
  bootstrapSeed: number;
  /** A label value drawn from fewer distinct images than this gets a note. */
  minPerLabel: number;
  /** Methods never ranked (the `fusion:best` upper bound). */
  unranked?: readonly string[];
  signal?: AbortSignal;
}

type RateStats = Pick<MixMethodResult, 'fp_pixel_rate' | 'empty_ref_fp_rate' | 'fn_pixel_rate' | 'missed_rate'>;

/** The four error rates, each reduced over samples by `reduce`. */
function rateStats(samples: readonly SampleErrorRates[], reduce: (values: (number | undefined)[]) => StatWithInterval): RateStats {
  return {
    fp_pixel_rate: reduce(samples.map((s) => s.fpPixelRate)),
    empty_ref_fp_rate: reduce(samples.map((s) => s.emptyRefFpRate)),
    fn_pixel_rate: reduce(samples.map((s) => s.fnPixelRate)),
    missed_rate: reduce(samples.map((s) => s.missedRate)),
  };
}

function hash32(text: string): number {
  return parseInt(sha256(text).slice(0, 8), 16);
}

/** Seed of one repeat of one scenario: a scenario's draws do not change when others are added. */
export function scenarioRepeatSeed(seed: number, column: string, scenario: string, repeat: number): number {
  return deriveSeed(deriveSeed(seed, hash32(`${column}\u0000${scenario}`)), repeat);
}

/** Mean and 2.5/97.5 percentiles of the defined values. */
function overRepeats(values: readonly (number | undefined)[]): StatWithInterval {
  const defined = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (defined.length === 0) return { mean: undefined, ci95: undefined };
  const mean = defined.reduce((a, v) => a + v, 0) / defined.length;
  return { mean, ci95: [quantileSorted(defined, 0.025), quantileSorted(defined, 0.975)] };
}

function rowsByMethod(rows: readonly PerImageRow[], methods: readonly string[]): Map<string, Map<string, PerImageRow>> {
  const out = new Map(methods.map((m) => [m, new Map<string, PerImageRow>()]));
  for (const r of rows) out.get(r.method)?.set(r.imageId, r);
  return out;
}

function baselineOf(byMethod: Map<string, Map<string, PerImageRow>>, methods: readonly string[], ranked: readonly string[], images: readonly string[], options: LabelMixOptions): MixBaselineResult {
  const result: Record<string, MixMethodResult> = {};
  const means = new Map<string, number | undefined>();
  for (const m of methods) {
    const rows = byMethod.get(m)!;
    const s = summarizeMetric([...rows.values()].map((r) => r.metrics.dice), { bootstrap: options.bootstrap, seed: options.bootstrapSeed });
    const rates = sampleErrorRates(rows, images.map((id) => [id, 1]));
    result[m] = {
      dice: { mean: s.mean, ci95: s.ci95 },
      ...rateStats([rates], ([v]) => ({ mean: v, ci95: undefined })),
    };
    means.set(m, s.mean);
  }
  return { images: images.length, methods: result, ranking: rankMethods(means, ranked) };
}

function scenarioNote(scenario: MixScenario, counts: readonly number[], pools: readonly (readonly string[])[], minPerLabel: number): string | undefined {
  const thin = scenario.shares
    .map((s, i) => ({ value: s.value, share: s.share, drawn: counts[i], distinct: pools[i].length }))
    .filter((x) => x.drawn > 0 && x.distinct < minPerLabel);
  if (thin.length === 0) return undefined;
  const parts = thin.map((x) => `${x.value} (${(100 * x.share).toFixed(0)} % of the sample) from ${x.distinct} distinct image${x.distinct === 1 ? '' : 's'}`);
  return `${parts.join('; ')}: fewer than ${minPerLabel} distinct images, so the interval understates how uncertain this scenario is.`;
}

function runScenario(
  scenario: MixScenario,
  byMethod: Map<string, Map<string, PerImageRow>>,
  methods: readonly string[],
  ranked: readonly string[],
  pools: readonly (readonly string[])[],
  baselineMeans: ReadonlyMap<string, number | undefined>,
  options: LabelMixOptions,
): MixScenarioResult {
  const n = pools.reduce((a, p) => a + p.length, 0);
  const counts = targetCounts(scenario.shares, n);
  const perRepeat = new Map<string, SampleErrorRates[]>(methods.map((m) => [m, []]));
  let changedRepeats = 0;
  for (let r = 0; r < options.repeats; r++) {
    options.signal?.throwIfAborted();
    const drawn = [...drawMix(pools, counts, createRandom(scenarioRepeatSeed(options.seed, scenario.column, scenario.name, r)))];
    const repeatMeans = new Map<string, number | undefined>();
    for (const m of methods) {
      const rates = sampleErrorRates(byMethod.get(m)!, drawn);
      perRepeat.get(m)!.push(rates);
      repeatMeans.set(m, rates.dice);
    }
    if (rankSwaps(baselineMeans, repeatMeans, ranked).length > 0) changedRepeats++;
  }
  const result: Record<string, MixMethodResult> = {};
  const means = new Map<string, number | undefined>();
  for (const m of methods) {
    const reps = perRepeat.get(m)!;
    const dice = overRepeats(reps.map((x) => x.dice));
    result[m] = {
      dice,
      ...rateStats(reps, overRepeats),
      dice_per_repeat: reps.map((x) => x.dice),
    };
    means.set(m, dice.mean);
  }
  const swaps = rankSwaps(baselineMeans, means, ranked);
  const byValue = <T>(f: (i: number) => T) => Object.fromEntries(scenario.shares.map((s, i) => [s.value, f(i)]));
  return {
    name: scenario.name,
    column: scenario.column,
    kind: scenario.kind,
    label: scenario.label,
    shares: byValue((i) => scenario.shares[i].share),
    counts: byValue((i) => counts[i]),
    available: byValue((i) => pools[i].length),
    sample_size: n,
    repeats: options.repeats,
    methods: result,
    ranking: rankMethods(means, ranked),
    ranking_changed: swaps.length > 0,
    swaps,
    changed_in_repeats: options.repeats > 0 ? changedRepeats / options.repeats : 0,
    note: scenarioNote(scenario, counts, pools, options.minPerLabel),
  };
}

/**
 * `rows`: the split's per-image rows (every method); `methods`: their order for the output.
 * Returns the section and notes on mixes that could not be made.
 */
export function runLabelMixStress(
  rows: readonly PerImageRow[],
  methods: readonly string[],
  labelsOf: (imageId: string) => Record<string, string>,
  options: LabelMixOptions,
): { section: LabelMixSection; notes: string[] } {
  const notes: string[] = [];
  const images = [...new Set(rows.map((r) => r.imageId))].sort();
  const ranked = methods.filter((m) => !options.unranked?.includes(m));
  const byMethod = rowsByMethod(rows, methods);
  const baseline = baselineOf(byMethod, methods, ranked, images, options);
  const baselineMeans = new Map(methods.map((m) => [m, baseline.methods[m].dice.mean]));
  const scenarios: MixScenarioResult[] = [];
  const seen = new Set<string>();
  for (const { column, kind } of options.mixes) {
    const labelOf = (id: string) => labelsOf(id)[column];
    const freq = labelFrequencies(images.map(labelOf));
    const made = mixScenarios(column, kind, freq);
    if (made.length === 0) {
      notes.push(`Label mix \`${column}: ${kind}\` skipped: the split has ${freq.length === 0 ? 'no image with a value' : `only the value ${freq[0].value}`} in column ${column}.`);
      continue;
    }
    const unlabelled = images.filter((id) => !labelOf(id)).length;
    if (unlabelled > 0 && !seen.has(`${column}\u0000*`)) {
      seen.add(`${column}\u0000*`);
      notes.push(`${unlabelled} image${unlabelled === 1 ? '' : 's'} without a ${column} value ${unlabelled === 1 ? 'is' : 'are'} left out of the ${column} mixes.`);
    }
    const pools = freq.map((f) => images.filter((id) => labelOf(id) === f.value));
    for (const scenario of made) {
      const key = `${column}\u0000${scenario.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      scenarios.push(runScenario(scenario, byMethod, methods, ranked, pools, baselineMeans, options));
    }
  }
  return { section: { baseline, scenarios }, notes };
}
