import { resolve } from 'node:path';
import { resolveDataset } from '../../core/dataset';
import { scanCases } from '../../core/scan';
import { DEFAULT_TRIES, proposeSplits, splitCounts, writeSplitCsv } from '../../core/splits';
import { placeOnConfig } from '../../core/validate';
import type { CommandContext } from '../context';
import { loadConfigForRun } from '../loadConfigForRun';
import { displayPath, formatFinding, plural } from '../format';

export const splitHelp = `medseg split <config.medseg.yaml> [--seed N] [--tries K] [--out splits.csv]

Proposes a train/val/test split and writes it as a CSV (image_id,split) that \`splits.file\` reads.
Patients (dataset.group_column) and volumes never cross splits, identical and near-duplicate images
stay together, and label proportions follow the ratios (splits.generate, default 0.7/0.15/0.15).
Of K seeds, the split kept is the one \`medseg validate\` finds cleanest (no label or image/mask
property drift at splits.alpha), then the one whose labels and properties are closest across splits.

  --seed N       first seed (default: splits.generate.seed, else 0); try k uses a seed derived from it
  --tries K      seeds to try (default ${DEFAULT_TRIES})
  --out FILE     where to write (default: splits.file of the config, else splits.csv beside it)`;

function parseCount(text: string | boolean | undefined, name: string, minimum: number): number | undefined | Error {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || !Number.isInteger(value) || value < minimum) return new Error(`--${name} must be an integer ≥ ${minimum} (got ${String(text)})`);
  return value;
}

/** Findings about the split file being replaced are not the new split's business. */
function concernsOldSplit(code: string): boolean {
  return code.startsWith('dataset/split') || code === 'dataset/unsplit-image' || code === 'dataset/unknown-split';
}

export async function runSplit(ctx: CommandContext): Promise<number> {
  const file = ctx.positionals[0];
  if (!file || ctx.positionals.length > 1) return ctx.usage(splitHelp);
  const seed = parseCount(ctx.flags.seed, 'seed', Number.MIN_SAFE_INTEGER);
  const tries = parseCount(ctx.flags.tries, 'tries', 1);
  for (const bad of [seed, tries]) if (bad instanceof Error) return ctx.usage(`${bad.message}\n\n${splitHelp}`);

  const parsed = await loadConfigForRun(ctx, file);
  if (!parsed) return 1;
  const config = parsed.config;
  ctx.progress('Resolving dataset');
  const dataset = await resolveDataset(config, { signal: ctx.signal });
  const errors = dataset.findings.filter((f) => f.severity === 'error' && !concernsOldSplit(f.code));
  for (const f of errors) ctx.err(formatFinding(placeOnConfig(f, parsed)));
  if (dataset.cases.length === 0) {
    ctx.err('No images to split.');
    return 1;
  }

  const scan = await scanCases(dataset.cases, config, {
    signal: ctx.signal,
    onProgress: (done, total) => ctx.progress(`Reading images ${done}/${total}`, done / total),
  });
  for (const f of scan.findings) ctx.err(formatFinding(placeOnConfig(f, parsed)));

  const proposed = proposeSplits(config, dataset, scan, {
    seed: seed as number | undefined,
    tries: tries as number | undefined,
    signal: ctx.signal,
    onTry: (done, total) => ctx.progress(`Trying seeds ${done}/${total}`, done / total),
  });
  const out = typeof ctx.flags.out === 'string' ? resolve(ctx.flags.out) : (config.splits?.file ?? resolve(config.dir, 'splits.csv'));
  const rows = await writeSplitCsv(out, dataset.cases, proposed.assignment);

  const counts = splitCounts(proposed.assignment);
  const sizes = (['train', 'val', 'test'] as const).map((s) => `${counts[s]} ${s}`).join(' / ');
  ctx.out(`Wrote ${displayPath(out)}: ${sizes} (${plural(dataset.cases.length, 'image')}, ${plural(rows, 'row')}).`);
  ctx.out(
    `Seed ${proposed.seed} (try ${proposed.tryIndex + 1} of ${proposed.tries}): label quality ${proposed.quality.labels.toFixed(3)}` +
      (proposed.usedProperties ? `, property imbalance ${proposed.quality.properties.toFixed(3)}` : '') +
      ` (0 = identical across splits); ${plural(proposed.penalty, 'drift finding')} at alpha ${config.splits?.alpha ?? 0.05}.`,
  );
  ctx.out(`Reproduce it with  --seed ${proposed.seed} --tries 1  (same data and config).`);
  if (proposed.stratify.length > 0) ctx.out(`Stratified by ${proposed.stratify.map((c) => `\`${c}\``).join(', ')}.`);
  if (proposed.linkedSets > 0) ctx.out(`${plural(proposed.linkedSets, 'set')} of identical or near-duplicate images kept in one split.`);
  if (config.splits?.file !== out) ctx.out(`To use it, set in the config:  splits: { file: ${displayPath(out, config.dir)} }`);
  return 0;
}
