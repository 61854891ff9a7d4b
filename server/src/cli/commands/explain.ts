import type { MedsegConfig } from '../../core/config/types';
import { loadConfig, type ParsedConfig } from '../../core/config';
import { resolveDataset, type ResolvedDataset } from '../../core/dataset';
import { AUTO_LAYER_RULE, CAM_METHODS, explainExperiment, listModelLayers, umapExperiment, umapShardFeatures, type CamMethod, type ExplainReport, type UmapReport } from '../../core/explain';
import type { Shard } from '../../core/evaluate';
import { runOutcome } from '../../core/findings';
import { refreshReport } from '../../core/report/rerender';
import { maxOf } from '../../core/util/arrays';
import { placeOnConfig } from '../../core/validate';
import type { CommandContext } from '../context';
import { exitForOutcome, RUN_EXIT_STATUS } from '../exitCodes';
import { loadConfigForRun } from '../loadConfigForRun';
import { parseShard } from './evaluate';
import { displayPath, formatFinding, plural } from '../format';
import { outputFlagHelp } from './outputFlag';

export const explainHelp = `medseg explain <config.medseg.yaml> [options]

Heatmaps of where each ONNX model looks, for images of the evaluation split, and per image the
share of the heat inside the reference, on false positives (type I) and on false negatives
(type II); per model and per family (TII, LMI, …) their means with confidence intervals and a
paired test. Gradient methods use exact gradients from a backward graph generated from the ONNX
model (one forward and backward run per batch of images); Grad-CAM falls back to finite
differences where an operator has no gradient rule, and says so.
Writes heatmaps/<method>/<model>/<id>.png, explain/<method>/<model>.csv (one row per image) and
explain.json (also kept as explain/<method>/explain.json) under <output>/<name>/, and redraws
report.html there with an "Explanations" section for every method explained. A run interrupted
or repeated with the same settings resumes from the rows already written.

  --method M                     ${CAM_METHODS.join(' | ')}
                                 (default: explain.gradcam.method)
  --images N|all                 images per model, or every image of the split
                                 (default: explain.gradcam.images)
${outputFlagHelp(33)}
  --provider auto|cpu|cuda|webgpu  execution provider (default: runtime.provider)
  --shard I/N                    explain only the I-th of N shards of the split's images (the same
                                 images as \`evaluate --shard I/N\`; implies --images all), into the
                                 shard's folder: \`medseg merge\` joins them with the evaluation
  --list-layers                  list each model's feature maps and the one \`layer: auto\` takes
  --json                         print explain.json instead of the table

Layer \`auto\`: ${AUTO_LAYER_RULE}.

${RUN_EXIT_STATUS}`;

export const umapHelp = `medseg umap <config.medseg.yaml> [options]

UMAP maps of the dataset: downsampled images, and (explain.umap.features: auto or a tensor) the
pooled activations of each ONNX model's layer. Points carry split, clinical labels and the last
evaluation's Dice per model; test images far from every training image are reported as out of
distribution. Writes umap.json under <output>/<name>/.

${outputFlagHelp(33)}
  --provider auto|cpu|cuda|webgpu  execution provider (default: runtime.provider)
  --shard I/N                    extract the features of the I-th of N shards of the maps' images
                                 only (by the hash of the id \`evaluate --shard I/N\` uses), into
                                 the shard's folder (shard/umap_features.bin: Float32 rows with
                                 the image ids, config, build and feature kinds they came from);
                                 \`medseg merge\` joins them beside the shards' evaluations and
                                 embeds them once, writing the umap.json of one \`medseg umap\`
  --json                         print umap.json's summary (no points) instead of text

${RUN_EXIT_STATUS}`;

const PROVIDERS = ['auto', 'cpu', 'cuda', 'webgpu'];

async function loadExperiment(ctx: CommandContext, help: string): Promise<{ parsed: ParsedConfig; config: MedsegConfig; dataset: ResolvedDataset } | number> {
  const file = ctx.positionals[0];
  if (!file || ctx.positionals.length > 1) return ctx.usage(help);
  const provider = ctx.flags.provider as string | undefined;
  if (provider !== undefined && !PROVIDERS.includes(provider)) return ctx.usage(`--provider must be one of ${PROVIDERS.join(', ')}\n\n${help}`);
  const parsed = await loadConfigForRun(ctx, file);
  if (!parsed) return 1;
  ctx.progress('Resolving dataset');
  const dataset = await resolveDataset(parsed.config, { signal: ctx.signal });
  const errors = dataset.findings.filter((f) => f.severity === 'error');
  for (const f of errors) ctx.err(formatFinding(placeOnConfig(f, parsed)));
  if (errors.length > 0) ctx.err(`${plural(errors.length, 'dataset error')} (cases affected are skipped); \`medseg validate\` lists everything.`);
  return { parsed, config: parsed.config, dataset };
}

function fraction(x: number | undefined): string {
  return x === undefined ? '–' : `${(100 * x).toFixed(1)}%`;
}

function withInterval(s: { mean: number | undefined; ci95: [number, number] | undefined }): string {
  return s.mean === undefined ? '–' : `${fraction(s.mean)}${s.ci95 ? ` [${(100 * s.ci95[0]).toFixed(1)}, ${(100 * s.ci95[1]).toFixed(1)}]` : ''}`;
}

export function formatExplainTable(report: ExplainReport): string {
  const header = ['model', 'family', 'layer', 'gradient', 'images', 'dice', 'in reference [95% CI]', 'in FP (I)', 'in FN (II)', 's/image'];
  const rows = Object.entries(report.models).map(([name, m]) => [
    name,
    m.family,
    `${m.layer.name} [${m.layer.channels}×${m.layer.height}×${m.layer.width}]`,
    m.gradient,
    `${m.images}${m.resumed ? ` (${m.resumed} resumed)` : ''}`,
    m.summary.dice.mean === undefined ? '–' : m.summary.dice.mean.toFixed(3),
    withInterval(m.summary.inside_reference),
    fraction(m.summary.inside_fp.mean),
    fraction(m.summary.inside_fn.mean),
    m.seconds_per_image === null ? '–' : m.seconds_per_image < 0.1 ? `${(m.seconds_per_image * 1000).toFixed(1)} ms` : `${m.seconds_per_image.toFixed(2)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, maxOf(rows.map((r) => r[i].length), 0)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [
    `${report.experiment} · ${report.method} · target ${report.target} · split ${report.split} · mean share of the heat`,
    line(header),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map(line),
  ];
  for (const [name, m] of Object.entries(report.models)) if (m.gradient_note) lines.push(`${name}: ${m.gradient_note}`);
  for (const f of report.families) {
    const measure = f.metric.replace('inside_', 'heat in ').replace('reference', 'the reference').replace('fp', 'type I (FP) pixels').replace('fn', 'type II (FN) pixels');
    lines.push(`${f.a} vs ${f.b}, ${measure}: ${fraction(f.mean_a)} vs ${fraction(f.mean_b)} on ${f.n} images; ${f.test} p = ${f.p.toPrecision(3)} (Holm ${f.p_adjusted.toPrecision(3)})`);
  }
  return lines.join('\n');
}

export async function runExplain(ctx: CommandContext): Promise<number> {
  const method = ctx.flags.method as string | undefined;
  const imagesFlag = ctx.flags.images as string | undefined;
  if (method !== undefined && !(CAM_METHODS as readonly string[]).includes(method)) return ctx.usage(`--method must be one of ${CAM_METHODS.join(', ')}\n\n${explainHelp}`);
  const shard = parseShard(ctx.flags.shard as string | undefined);
  if (shard instanceof Error) return ctx.usage(`${shard.message}\n\n${explainHelp}`);
  // A shard explains its part of every image of the split, so that the shards together are one `--images all` run.
  const images = imagesFlag === undefined ? (shard ? 'all' : undefined) : imagesFlag === 'all' ? 'all' : Number(imagesFlag);
  if (images !== undefined && images !== 'all' && !(Number.isInteger(images) && images >= 1)) return ctx.usage(`--images must be a whole number ≥ 1 or \`all\` (got ${imagesFlag})\n\n${explainHelp}`);
  if (shard && images !== 'all') return ctx.usage(`--shard explains every image of the split, each in its shard: give --images all (or leave --images out)\n\n${explainHelp}`);
  if (ctx.flags['list-layers']) return listLayers(ctx);
  const loaded = await loadExperiment(ctx, explainHelp);
  if (typeof loaded === 'number') return loaded;
  const { parsed, config, dataset } = loaded;
  const result = await explainExperiment(config, dataset, {
    method: method as CamMethod | undefined,
    images,
    outputDir: ctx.flags.output as string | undefined,
    provider: ctx.flags.provider as 'auto' | undefined,
    shard,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(`${p.done}/${p.total} ${p.model ?? ''} ${p.imageId ?? ''}`, p.fraction),
  });
  // The folder's report.html gets its "Explanations" section (every method explained there).
  ctx.progress('Redrawing report.html');
  const output = ctx.flags.output as string | undefined;
  const evaluateCommand = ['medseg', 'evaluate', ctx.positionals[0], ...(output ? ['--output', output] : [])].join(' ');
  const redrawn = await refreshReport(result.outputDir, { config, cases: dataset.cases, command: `${evaluateCommand} && ${['medseg', 'explain', ...process.argv.slice(3)].join(' ')}` });
  for (const f of [...result.findings, ...(redrawn.finding ? [redrawn.finding] : [])]) ctx.err(formatFinding(placeOnConfig(f, parsed)));
  if (ctx.flags.json) ctx.out(JSON.stringify(result.report, null, 2));
  else {
    ctx.out(formatExplainTable(result.report));
    ctx.out(`\nResults: ${displayPath(result.outputDir)}/ (explain.json, explain/${result.report.method}/, heatmaps/${result.report.method}/)${redrawn.report ? ', with its section in report.html' : ''}`);
  }
  const outcome = runOutcome(Object.keys(result.report.models).length, [...dataset.findings.filter((f) => f.severity === 'error'), ...result.findings]);
  if (outcome === 'nothing') ctx.err('No model was explained (see above).');
  else if (outcome === 'with-errors') ctx.err('Finished with errors: some models or images could not be explained (see above).');
  return exitForOutcome(outcome);
}

async function listLayers(ctx: CommandContext): Promise<number> {
  const file = ctx.positionals[0];
  if (!file || ctx.positionals.length > 1) return ctx.usage(explainHelp);
  const parsed = await loadConfig(file);
  if (!parsed.config) {
    for (const f of parsed.findings) ctx.out(formatFinding(f));
    return 1;
  }
  const layers = await listModelLayers(parsed.config, ctx.signal);
  if (ctx.flags.json) {
    ctx.out(JSON.stringify(layers, null, 2));
    return 0;
  }
  for (const m of layers) {
    ctx.out(`${m.model}${m.error ? `: ${m.error.message}` : `: layer auto = ${m.auto ?? '(none)'}`}`);
    for (const c of m.candidates) ctx.out(`  ${c.name === m.auto ? '*' : ' '} ${c.name.padEnd(32)} ${c.op.padEnd(12)} ${c.channels}×${c.height}×${c.width}  depth ${c.depth}`);
  }
  return layers.some((m) => m.error) ? 1 : 0;
}

export function formatUmapSummary(report: UmapReport): string {
  const lines = [`${report.experiment} · ${plural(report.subsample.kept, 'image')}${report.subsample.kept < report.subsample.total ? ` of ${report.subsample.total} (${report.subsample.rule})` : ''} · seed ${report.seed}`];
  for (const m of report.maps) {
    const ood = m.out_of_distribution ? ` · ${m.out_of_distribution.count}/${m.out_of_distribution.test_images} test images out of distribution` : '';
    const secs = m.seconds.pca + m.seconds.neighbours + m.seconds.layout;
    lines.push(`  ${m.name}: ${m.dims} features → ${m.pca_dims} PCA dims (${(100 * m.explained_variance).toFixed(0)}% variance) → 2-D in ${secs.toFixed(1)} s${ood}`);
  }
  return lines.join('\n');
}

export async function runUmap(ctx: CommandContext): Promise<number> {
  const shard = parseShard(ctx.flags.shard as string | undefined);
  if (shard instanceof Error) return ctx.usage(`${shard.message}\n\n${umapHelp}`);
  const loaded = await loadExperiment(ctx, umapHelp);
  if (typeof loaded === 'number') return loaded;
  const { parsed, config, dataset } = loaded;
  if (shard) return runUmapShard(ctx, parsed, config, dataset, shard);
  const result = await umapExperiment(config, dataset, {
    outputDir: ctx.flags.output as string | undefined,
    provider: ctx.flags.provider as 'auto' | undefined,
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.progress(p.stage === 'features' ? `features ${p.done}/${p.total}` : `${p.map}: ${p.phase}`, p.fraction),
  });
  for (const f of result.findings) ctx.err(formatFinding(placeOnConfig(f, parsed)));
  if (ctx.flags.json) ctx.out(JSON.stringify({ ...result.report, maps: result.report.maps.map(({ points, ...m }) => ({ ...m, points: points.length })) }, null, 2));
  else {
    ctx.out(formatUmapSummary(result.report));
    ctx.out(`\nResults: ${displayPath(result.outputDir)}/umap.json`);
  }
  const outcome = runOutcome(result.report.maps.length, [...dataset.findings.filter((f) => f.severity === 'error'), ...result.findings]);
  if (outcome === 'nothing') ctx.err('No map was made (see above).');
  else if (outcome === 'with-errors') ctx.err('Finished with errors: some maps or images are missing (see above).');
  return exitForOutcome(outcome);
}

/** `medseg umap --shard I/N`: the shard's features only; the merge embeds them. */
async function runUmapShard(ctx: CommandContext, parsed: ParsedConfig, config: MedsegConfig, dataset: ResolvedDataset, shard: Shard): Promise<number> {
  const result = await umapShardFeatures(config, dataset, {
    shard,
    outputDir: ctx.flags.output as string | undefined,
    provider: ctx.flags.provider as 'auto' | undefined,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(`features ${p.done}/${p.total}`, p.fraction),
  });
  for (const f of result.findings) ctx.err(formatFinding(placeOnConfig(f, parsed)));
  const h = result.header;
  const summary = { shard: `${shard.index + 1}/${shard.count}`, file: result.file, images: h.ids.length, of: h.images.count, maps: h.maps.map((m) => ({ name: m.name, rows: m.rows, width: m.width })) };
  if (ctx.flags.json) ctx.out(JSON.stringify(summary, null, 2));
  else {
    ctx.out(`${config.name} · shard ${summary.shard}: features of ${plural(h.ids.length, 'image')} of ${h.images.count} on the maps`);
    for (const m of h.maps) ctx.out(`  ${m.name}: ${plural(m.rows, 'image')} × ${m.width} features`);
    ctx.out(`\nFeatures: ${displayPath(result.file)} (\`medseg merge\` of every shard folder draws the maps)`);
  }
  // A shard with no image on the maps is complete (nothing to extract), as evaluate's empty shard.
  const outcome = runOutcome(h.ids.length === 0 ? 0 : h.maps.length, [...dataset.findings.filter((f) => f.severity === 'error'), ...result.findings]);
  if (outcome === 'with-errors') ctx.err('Finished with errors: some maps or images are missing (see above).');
  return exitForOutcome(outcome);
}
