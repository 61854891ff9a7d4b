import { regionView } from '../../core/evaluate/regionView';
import { regionFolder } from '../../core/results/regionResults';
import { resultsFolderOf } from '../../core/results/resultPath';
import type { SplitName } from '../../core/config/types';
import { resolveDataset } from '../../core/dataset';
import { runOutcome, type Finding } from '../../core/findings';
import { refreshReport } from '../../core/report/rerender';
import { PERTURBATION_KINDS, runStress, swapPhrases, type MixMethodResult, type MixScenarioResult, type PerturbationResult, type StressReport } from '../../core/stress';
import { maxOf, pushAll } from '../../core/util/arrays';
import { placeOnConfig } from '../../core/validate';
import type { CommandContext } from '../context';
import { exitForOutcome, RUN_EXIT_STATUS } from '../exitCodes';
import { loadConfigForRun } from '../loadConfigForRun';
import { parseShard } from './evaluate';
import { displayPath, formatFinding, plural } from '../format';
import { outputFlagHelp } from './outputFlag';

export const stressHelp = `medseg stress <config.medseg.yaml> [options]

Stress tests of the evaluated models (writes stress.json beside summary.json, and redraws
report.html there with a "Stress tests" section):
  label mixes    the split resampled to skewed mixes of one clinical label (zipf, one value
                 dominant at 80 %, the rarest oversampled to the most common's share, one value
                 removed), repeated with seeds: mean Dice with its interval over the repeats,
                 type I and type II error rates, and the ranking of the methods, marked where
                 it differs from the ranking on the split itself;
  perturbations  noise, blur, contrast, brightness, JPEG, rotation, flips at graded strengths,
                 with fresh (cached) inference: mean Dice per strength and where it has
                 dropped by stress.drop_threshold.
Per-image results are taken from per_image.csv when they match the config, else evaluated first.

  --split train|val|test|all   split to stress (default: evaluation.split)
  --label COLUMN               run every label mix on this label column (default: stress.label_mixes)
  --repeats N                  resamples per label mix (default: stress.repeats)
  --perturbations LIST         comma-separated perturbations, or none (default: stress.perturbations)
${outputFlagHelp(31)}
  --provider auto|cpu|cuda|webgpu  execution provider (default: runtime.provider)
  --shard I/N                  the perturbations of the I-th of N shards of the split's images only
                               (the images of \`evaluate --shard I/N\`), kept in the shard folder;
                               \`medseg merge\` joins them and runs the label mixes over all images
  --json                       print stress.json instead of the tables

${RUN_EXIT_STATUS}`;

const SPLITS = ['train', 'val', 'test', 'all'];
const PROVIDERS = ['auto', 'cpu', 'cuda', 'webgpu'];

export async function runStressCommand(ctx: CommandContext): Promise<number> {
  const file = ctx.positionals[0];
  if (!file || ctx.positionals.length > 1) return ctx.usage(stressHelp);
  const split = ctx.flags.split as string | undefined;
  const provider = ctx.flags.provider as string | undefined;
  const repeatsText = ctx.flags.repeats as string | undefined;
  const repeats = repeatsText === undefined ? undefined : Number(repeatsText);
  const perturbationsText = ctx.flags.perturbations as string | undefined;
  const perturbations = perturbationsText === undefined ? undefined : perturbationsText === 'none' ? [] : perturbationsText.split(',').map((s) => s.trim()).filter(Boolean);
  if (split !== undefined && !SPLITS.includes(split)) return ctx.usage(`--split must be one of ${SPLITS.join(', ')}\n\n${stressHelp}`);
  if (provider !== undefined && !PROVIDERS.includes(provider)) return ctx.usage(`--provider must be one of ${PROVIDERS.join(', ')}\n\n${stressHelp}`);
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) return ctx.usage(`--repeats must be a whole number ≥ 1 (got ${repeatsText})\n\n${stressHelp}`);
  const shard = parseShard(ctx.flags.shard as string | undefined);
  if (shard instanceof Error) return ctx.usage(`${shard.message}\n\n${stressHelp}`);
  const unknown = perturbations?.filter((p) => !(PERTURBATION_KINDS as readonly string[]).includes(p)) ?? [];
  if (unknown.length) return ctx.usage(`--perturbations: unknown ${unknown.join(', ')}; choose from ${PERTURBATION_KINDS.join(', ')} or none\n\n${stressHelp}`);

  const parsed = await loadConfigForRun(ctx, file);
  if (!parsed) return 1;
  const config = parsed.config;
  const label = ctx.flags.label as string | undefined;
  ctx.progress('Resolving dataset');
  const dataset = await resolveDataset(config, { signal: ctx.signal });
  const datasetErrors = dataset.findings.filter((f) => f.severity === 'error');
  for (const f of datasetErrors) ctx.err(formatFinding(placeOnConfig(f, parsed)));
  if (label !== undefined && !dataset.labelColumns.includes(label)) {
    ctx.err(`medseg stress: --label ${label} is not a label column of the dataset (${dataset.labelColumns.join(', ') || 'none: set dataset.labels and dataset.label_columns'}).`);
    return 1;
  }
  const output = ctx.flags.output as string | undefined;
  const evaluateCommand = ['medseg', 'evaluate', file, ...(split ? ['--split', split] : []), ...(output ? ['--output', output] : [])].join(' ');
  // A region evaluation is stress-tested region by region, each in its own results folder (regions/<name>/).
  const runs = config.dataset.regions
    ? config.dataset.regions.map((r) => ({ region: r.name as string | undefined, config: regionView(config, r), outputDir: regionFolder(resultsFolderOf(config, output), r.name) as string | undefined }))
    : [{ region: undefined, config, outputDir: output }];
  const findings: Finding[] = [];
  let produced = 0;
  for (const run of runs) {
    const result = await runStress(run.config, dataset, {
      split: split as SplitName | 'all' | undefined,
      provider: provider as 'auto' | undefined,
      outputDir: run.outputDir,
      label,
      repeats,
      perturbations,
      shard,
      command: evaluateCommand,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(`${run.region ? `${run.region}: ` : ''}${p.stage} ${p.done}/${p.total} ${p.imageId ?? ''}`, p.total ? p.done / p.total : 1),
    });
    // The folder's report.html gets its "Stress tests" section.
    ctx.progress('Redrawing report.html');
    const redrawn = await refreshReport(result.outputDir, { config: run.config, cases: dataset.cases, command: `${evaluateCommand} && ${['medseg', 'stress', ...process.argv.slice(3)].join(' ')}` });
    const own = [...result.findings, ...(redrawn.finding ? [redrawn.finding] : [])].map((f) => (run.region ? { ...f, message: `Region ${run.region}: ${f.message}` } : f));
    for (const f of own) ctx.err(formatFinding(placeOnConfig(f, parsed)));
    pushAll(findings, own);
    if (ctx.flags.json) ctx.out(JSON.stringify(run.region ? { region: run.region, ...result.report } : result.report, null, 2));
    else {
      if (run.region) ctx.out(`Region ${run.region}`);
      ctx.out(formatStressReport(result.report));
      ctx.out(`\nResults: ${displayPath(result.outputDir)}/stress.json${redrawn.report ? ', with its section in report.html' : ''}`);
    }
    produced += (result.report.label_mixes ? 1 : 0) + (result.report.perturbations ? 1 : 0);
  }
  const outcome = runOutcome(produced, [...datasetErrors, ...findings]);
  if (outcome === 'nothing') ctx.err('Nothing was stress-tested (no label mix and no perturbation could run; see above).');
  else if (outcome === 'with-errors') ctx.err('Finished with errors: some images or models could not be stress-tested (see above; stress.json lists what ran).');
  return exitForOutcome(outcome);
}

const fmt = (x: number | undefined | null, digits = 3) => (x === undefined || x === null ? '–' : x.toFixed(digits));
const pct = (x: number | undefined | null) => (x === undefined || x === null ? '–' : `${(100 * x).toFixed(1)}%`);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, maxOf(rows.map((r) => r[i].length), 0)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}

function mixRows(methods: readonly string[], results: Record<string, MixMethodResult>, ranking: readonly string[], baseRanking: readonly string[] | undefined): string[][] {
  return methods.map((m) => {
    const r = results[m];
    const dice = r?.dice.ci95 ? `${fmt(r.dice.mean)} [${fmt(r.dice.ci95[0])}, ${fmt(r.dice.ci95[1])}]` : fmt(r?.dice.mean);
    const rank = ranking.indexOf(m);
    const before = baseRanking?.indexOf(m) ?? -1;
    const rankText = rank < 0 ? 'upper bound' : baseRanking && before !== rank ? `${rank + 1} (was ${before + 1})` : String(rank + 1);
    return [m, dice, pct(r?.fp_pixel_rate.mean), pct(r?.empty_ref_fp_rate.mean), pct(r?.fn_pixel_rate.mean), pct(r?.missed_rate.mean), rankText];
  });
}

/** Reversed pairs, those between two models first (which model breaks), at most four named. */
function swapText(swaps: readonly [string, string][]): string {
  const phrases = swapPhrases(swaps);
  return phrases.slice(0, 4).join('; ') + (phrases.length > 4 ? `; and ${phrases.length - 4} more` : '');
}

const MIX_HEADER = ['method', 'mean Dice [95% CI]', 'I: FP px', 'I: FP empty', 'II: FN px', 'II: missed', 'rank'];

function scenarioTitle(s: MixScenarioResult): string {
  const shares = Object.entries(s.shares)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
    .join(', ');
  return `${s.column} ${s.name} · ${shares} · ${s.sample_size} images × ${plural(s.repeats, 'repeat')}`;
}

function perturbationLines(methods: readonly string[], k: PerturbationResult, threshold: number): string[] {
  const header = ['method', ...k.levels.map((l) => l.label), `drop ${threshold} at`];
  const rows = methods.map((m) => {
    const c = k.methods[m];
    const drop = !c?.drop ? 'not reached' : k.graded ? `${+c.drop.strength.toPrecision(3)}` : c.drop.level;
    return [m, ...k.levels.map((_, l) => fmt(c?.mean_dice[l])), drop];
  });
  const lines = [`${k.kind} · ${k.unit} · mean Dice per strength`, ...table(header, rows)];
  const changedAt = k.swaps.map((s, l) => (s.length > 0 ? l : -1)).filter((l) => l > 0);
  if (changedAt.length === 0) lines.push(`ranking unchanged at every strength: ${k.rankings[0].join(' > ')}`);
  else {
    lines.push(`** RANKING CHANGES ** unperturbed: ${k.rankings[0].join(' > ')}`);
    for (const l of changedAt) lines.push(`   at ${k.levels[l].label}: ${k.rankings[l].join(' > ')} (${swapText(k.swaps[l])})`);
  }
  return lines;
}

/** The tables `medseg stress` prints: one per label-mix scenario, one per perturbation. */
export function formatStressReport(report: StressReport): string {
  const out: string[] = [];
  const methods = report.methods;
  const mixes = report.label_mixes;
  if (mixes) {
    const changed = mixes.scenarios.filter((s) => s.ranking_changed);
    out.push(
      `${report.experiment} · split ${report.split} · label mixes (${plural(report.repeats, 'repeat')}, seed ${report.seed}) · ranked by mean Dice` +
        (report.upper_bound ? ` (${report.upper_bound} is the reference-aware upper bound, not ranked)` : ''),
      'Type I: FP px = FP/(FP+TN) pooled, FP empty = images with an empty reference and any predicted pixel; type II: FN px = FN/(FN+TP) pooled, missed = images with a lesion and Dice 0.',
      '',
      `test split as it is · ${plural(mixes.baseline.images, 'image')} · ranking ${mixes.baseline.ranking.join(' > ')}`,
    );
    pushAll(out, table(MIX_HEADER, mixRows(methods, mixes.baseline.methods, mixes.baseline.ranking, undefined)));
    for (const s of mixes.scenarios) {
      out.push('', scenarioTitle(s));
      if (s.ranking_changed) {
        out.push(`** RANKING CHANGED ** ${swapText(s.swaps)} (in ${(100 * s.changed_in_repeats).toFixed(0)}% of the repeats)`);
      }
      pushAll(out, table(MIX_HEADER, mixRows(methods, s.methods, s.ranking, mixes.baseline.ranking)));
      if (s.note) out.push(`note: ${s.note}`);
    }
    out.push('', changed.length ? `Ranking changes under ${changed.length} of ${mixes.scenarios.length}: ${changed.map((s) => `${s.column} ${s.name}`).join(', ')}.` : `The ranking holds under all ${mixes.scenarios.length} mixes.`);
  }
  const p = report.perturbations;
  if (p) {
    out.push('', `${report.experiment} · split ${report.split} · image perturbations · ${plural(p.images, 'image')} · ${plural(p.inferences, 'inference')} run (the rest cached)`);
    for (const k of p.kinds) {
      out.push('');
      pushAll(out, perturbationLines(p.methods, k, report.drop_threshold));
    }
  }
  for (const n of report.notes) out.push(`note: ${n}`);
  return out.join('\n').replace(/^\n+/, '');
}
