/**
 * The "Generate a stratified group split" code action: what `medseg split` does (patients and
 * near-duplicates kept together, stratified by the label columns, the cleanest of several seeds),
 * written as the CSV that `splits.file` reads.
 */
import { scanCases } from '../../../core/scan';
import { proposeSplits, splitCounts, writeSplitCsv } from '../../../core/splits';
import { JobError, type GeneratedSplit, type JobParams } from '../protocol';
import type { JobContext } from './context';
import { parsedConfig } from './parsedConfig';
import { isWithinRoots } from '../../writableRoots';

export async function generateSplitJob(p: JobParams['generateSplit'], ctx: JobContext): Promise<GeneratedSplit> {
  const { config } = parsedConfig(p, 'generate a split');
  ctx.progress('Resolving dataset', 0);
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: 0 });
  if (dataset.cases.length === 0) throw new JobError('no-cases', 'The dataset has no image: there is nothing to split.');
  // Image properties join the balance like in `medseg split`; the scan is cached, so after the
  // editor's image checks this reads nothing again.
  const scan = await scanCases(dataset.cases, config, {
    signal: ctx.signal,
    saveCache: isWithinRoots(config.runtime.cache, p.writableRoots),
    onProgress: (done, total) => ctx.progress(`Reading images ${done}/${total}`, 0.05 + (0.75 * done) / total),
  });
  const proposed = proposeSplits(config, dataset, scan, {
    tries: p.tries,
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    signal: ctx.signal,
    onTry: (done, tries) => ctx.progress(`Trying seeds ${done}/${tries}`, 0.8 + (0.2 * done) / tries),
  });
  ctx.signal.throwIfAborted();
  const rows = await writeSplitCsv(p.out, dataset.cases, proposed.assignment);
  return { file: p.out, rows, splits: splitCounts(proposed.assignment), seed: proposed.seed };
}
