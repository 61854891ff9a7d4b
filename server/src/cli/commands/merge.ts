import { mergeShards } from '../../core/evaluate/merge';
import { runOutcome } from '../../core/findings';
import type { CommandContext } from '../context';
import { exitForOutcome, RUN_EXIT_STATUS } from '../exitCodes';
import { displayPath, formatFinding } from '../format';
import { formatSummaryTable, outcomeLine } from './evaluate';
import { OUTPUT_IS_THE_FOLDER } from './outputFlag';

export const mergeHelp = `medseg merge <shard-dir>... --output DIR [--json]

Combines the results of \`medseg evaluate --shard I/N\` (one folder per shard, e.g. from a Slurm
array job) into the results a single run writes: per_image.csv (byte-identical), summary.json,
fusion_changes.csv, masks/, prob/, errors/ and report.html. Every shard must be given once.
Image failures and models skipped by the shards are carried into summary.json. Explanations made
in the shard folders (\`medseg explain --shard I/N --images all\`) are joined too: rows,
heatmaps and explain.json, as one \`medseg explain --images all\` writes them; and stress tests
(\`medseg stress --shard I/N\`): the perturbations of every shard's images, the label mixes run
over the merged rows, into stress.json as one \`medseg stress\` writes it; and UMAP features
(\`medseg umap --shard I/N\`): every shard's image and layer features in the maps' order, embedded
once, into umap.json as one \`medseg umap\` after \`medseg evaluate\` writes it.
${OUTPUT_IS_THE_FOLDER}

${RUN_EXIT_STATUS}`;

export async function runMerge(ctx: CommandContext): Promise<number> {
  const output = ctx.flags.output as string | undefined;
  if (ctx.positionals.length === 0 || !output) return ctx.usage(mergeHelp);
  const result = await mergeShards(ctx.positionals, output, { signal: ctx.signal, command: ['medseg', 'merge', ...process.argv.slice(3)].join(' ') });
  for (const f of result.findings) ctx.err(formatFinding(f));
  if (ctx.flags.json) ctx.out(JSON.stringify(result.regions ?? result.summary, null, 2));
  else if (result.regions) {
    for (const [name, r] of Object.entries(result.regions.regions)) ctx.out(`Region ${name} (labels ${r.labels.join(', ')})\n${formatSummaryTable(r, Object.keys(Object.values(r.methods)[0]?.metrics ?? {}) as never)}\n`);
    ctx.out(`Merged ${ctx.positionals.length} shards of a region evaluation into ${displayPath(result.outputDir)}/ (each region in regions/<name>/).`);
  } else {
    ctx.out(formatSummaryTable(result.summary, Object.keys(Object.values(result.summary.methods)[0]?.metrics ?? {}) as never));
    ctx.out(`\nMerged ${ctx.positionals.length} shards into ${displayPath(result.outputDir)}/${[...(result.explained.length ? [`their ${result.explained.join(', ')} explanations`] : []), ...(result.stressed ? ['their stress tests (stress.json)'] : []), ...(result.mapped.length ? [`UMAP maps of their features (umap.json: ${result.mapped.join(', ')})`] : [])].map((x, i) => (i === 0 ? `, with ${x}` : ` and ${x}`)).join('')}`);
  }
  const summaries = result.regions ? Object.values(result.regions.regions) : [result.summary];
  const rows = summaries.reduce((a, s) => a + Object.values(s.methods).reduce((b, m) => b + m.n, 0), 0);
  const outcome = runOutcome(rows, result.findings);
  if (outcome !== 'complete') ctx.err(outcomeLine(outcome, result.regions ?? result.summary));
  return exitForOutcome(outcome);
}
