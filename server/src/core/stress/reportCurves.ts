/**
 * The "Stress tests" section of report.html and the dashboard, shaped from stress.json: per label
 * column a table of every mix scenario (mean Dice with its interval, rank and the rank on the
 * split as it is, type I / type II rates), and per perturbation one degradation curve per method
 * with its interval band and drop strength. Plain data in the protocol's shape; the drawing is
 * client/src/webview/stressViews.ts.
 */
import type { StressCurveData, StressMixMethodData, StressPerturbationData, StressScenarioData, StressSectionData } from '../../protocol';
import type { MixMethodResult, PerturbationResult, StressReport } from './types';

/** What the report around the section shows, to say when stress.json belongs to another run. */
export interface EvaluationShown {
  split: string;
  methods: readonly string[];
}

/** stress.json stores undefined numbers as null (and drops them from objects). */
type Maybe = number | null | undefined;
const value = (x: Maybe): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const orNull = (x: Maybe): number | null => value(x) ?? null;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Reversed pairs [a, b] (a was ahead, b is now) as `b now ahead of a`, pairs of two models first:
 * which model breaks matters more than how a fusion moves.
 */
export function swapPhrases(swaps: readonly (readonly [string, string])[]): string[] {
  const isModel = (m: string) => !m.startsWith('fusion:');
  const models = (s: readonly [string, string]) => Number(isModel(s[0]) && isModel(s[1]));
  return [...swaps].sort((x, y) => models(y) - models(x)).map(([a, b]) => `${b} now ahead of ${a}`);
}

function mixMethod(method: string, r: MixMethodResult | undefined, ranking: readonly string[], splitRanking: readonly string[], swapped: ReadonlySet<string>): StressMixMethodData {
  const rank = ranking.indexOf(method);
  const splitRank = splitRanking.indexOf(method);
  const ci = r?.dice.ci95;
  const lo = value(ci?.[0]), hi = value(ci?.[1]);
  const out: StressMixMethodData = { method, rankChanged: swapped.has(method) };
  const put = (key: 'dice' | 'fpPixelRate' | 'emptyRefFpRate' | 'fnPixelRate' | 'missedRate', x: Maybe) => {
    const v = value(x);
    if (v !== undefined) out[key] = v;
  };
  put('dice', r?.dice.mean);
  if (lo !== undefined && hi !== undefined) out.ci95 = [lo, hi];
  if (rank >= 0) out.rank = rank + 1;
  if (splitRank >= 0) out.splitRank = splitRank + 1;
  put('fpPixelRate', r?.fp_pixel_rate.mean);
  put('emptyRefFpRate', r?.empty_ref_fp_rate.mean);
  put('fnPixelRate', r?.fn_pixel_rate.mean);
  put('missedRate', r?.missed_rate.mean);
  return out;
}

function labelMixTables(report: StressReport): StressSectionData['labelMixes'] {
  const mixes = report.label_mixes;
  if (!mixes) return [];
  const base = mixes.baseline;
  const baseline: StressScenarioData = {
    name: `${report.split} split as it is`,
    baseline: true,
    detail: plural(base.images, 'image'),
    rankingChanged: false,
    swaps: [],
    methods: report.methods.map((m) => mixMethod(m, base.methods[m], base.ranking, base.ranking, new Set())),
  };
  const columns = [...new Set(mixes.scenarios.map((s) => s.column))];
  return columns.map((column) => ({
    column,
    scenarios: [
      baseline,
      ...mixes.scenarios
        .filter((s) => s.column === column)
        .map((s): StressScenarioData => {
          const shares = Object.entries(s.shares)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
            .join(', ');
          const swapped = new Set(s.swaps.flat());
          return {
            name: s.name,
            baseline: false,
            detail: `${shares} · ${plural(s.sample_size, 'image')} × ${plural(s.repeats, 'repeat')}`,
            rankingChanged: s.ranking_changed,
            changedInRepeats: s.changed_in_repeats,
            swaps: swapPhrases(s.swaps),
            ...(s.note ? { note: s.note } : {}),
            methods: report.methods.map((m) => mixMethod(m, s.methods[m], s.ranking, base.ranking, swapped)),
          };
        }),
    ],
  }));
}

function rankingText(k: PerturbationResult): { ranking: string; changesAt?: string } {
  const changed = k.swaps.map((s, l) => (s.length > 0 && l > 0 ? l : -1)).filter((l) => l > 0);
  const unperturbed = k.rankings[0]?.join(' > ') ?? '';
  if (changed.length === 0) return { ranking: `unchanged at every strength: ${unperturbed}` };
  const at = changed.map((l) => `at ${k.levels[l].label}: ${k.rankings[l].join(' > ')} (${swapPhrases(k.swaps[l]).join('; ')})`);
  return { ranking: `changes: unperturbed ${unperturbed}; ${at.join('; ')}`, changesAt: k.levels[changed[0]].label };
}

function perturbation(report: StressReport, methods: readonly string[], k: PerturbationResult): StressPerturbationData {
  const curves = methods
    .filter((m) => k.methods[m])
    .map((method): StressCurveData => {
      const c = k.methods[method];
      const base = value(c.mean_dice[0]);
      return {
        method,
        upperBound: method === report.upper_bound,
        dice: c.mean_dice.map(orNull),
        lo: c.ci95.map((ci) => orNull(ci?.[0])),
        hi: c.ci95.map((ci) => orNull(ci?.[1])),
        n: [...c.n],
        ...(base !== undefined ? { target: base - report.drop_threshold } : {}),
        ...(c.drop ? { drop: { strength: c.drop.strength, label: c.drop.level, interpolated: c.drop.interpolated } } : {}),
      };
    });
  const { ranking, changesAt } = rankingText(k);
  return { kind: k.kind, unit: k.unit, graded: k.graded, levels: k.levels.map((l) => ({ ...l })), curves, ranking, ...(changesAt ? { rankingChangesAt: changesAt } : {}) };
}

/** Notes that say when stress.json was run on another split or other methods than the report shows. */
function mismatchNotes(report: StressReport, shown: EvaluationShown | undefined): string[] {
  if (!shown) return [];
  const notes: string[] = [];
  if (shown.split !== report.split) notes.push(`stress.json (${report.time}) was run on the ${report.split} split; this report evaluates the ${shown.split} split.`);
  const missing = shown.methods.filter((m) => !report.methods.includes(m));
  const gone = report.methods.filter((m) => !shown.methods.includes(m));
  if (missing.length || gone.length) {
    const parts = [...(missing.length ? [`it lacks ${missing.join(', ')}`] : []), ...(gone.length ? [`it has ${gone.join(', ')}, which this evaluation does not`] : [])];
    notes.push(`stress.json (${report.time}) was run on other methods than this evaluation (${parts.join('; ')}): run \`medseg stress\` again.`);
  }
  return notes;
}

export function stressReportSection(report: StressReport, shown?: EvaluationShown): StressSectionData {
  const p = report.perturbations;
  const methods = p?.methods ?? report.methods;
  return {
    experiment: report.experiment,
    split: report.split,
    time: report.time,
    seed: report.seed,
    repeats: report.repeats,
    dropThreshold: report.drop_threshold,
    ...(report.upper_bound ? { upperBound: report.upper_bound } : {}),
    labelMixes: labelMixTables(report),
    ...(p ? { perturbationImages: p.images } : {}),
    perturbations: (p?.kinds ?? []).map((k) => perturbation(report, methods, k)),
    notes: [...(report.notes ?? []), ...mismatchNotes(report, shown)],
  };
}
