/**
 * The dashboard's "Explanations" section, shaped in the worker for `medseg/results`: it reads
 * images, heatmaps and masks for the thumbnails, which the main thread must not wait on. The
 * section is kept while the files it comes from are unchanged, so reopening a dashboard is free.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExplainSectionData } from '../../../protocol';
import { EXPLAIN_FILE } from '../../../core/explain/explainFile';
import { explainShownOf, reportExplainSection } from '../../../core/report/explainSection';
import { readSummary, resultsDirOf } from '../../results';
import type { JobParams } from '../protocol';
import type { JobContext } from './context';
import { parsedConfig } from './parsedConfig';

/** Browsing may use a dataset resolved a little earlier (as the preview does). */
const DATASET_MAX_AGE_MS = 30_000;
const CACHED_FOLDERS = 4;

const cache = new Map<string, { stamp: string; section: ExplainSectionData | null }>();

async function stampOf(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${file}:${s.size}:${s.mtimeMs}`;
  } catch {
    return `${file}:-`;
  }
}

/** Sizes and times of what the section is made of: summary.json, explain.json, and each method's report, rows and fingerprints. */
async function sourcesStamp(outputDir: string, foreground: unknown): Promise<string> {
  const files = [join(outputDir, 'summary.json'), join(outputDir, EXPLAIN_FILE)];
  const methods = await readdir(join(outputDir, 'explain')).catch(() => [] as string[]);
  for (const method of methods.sort()) {
    const names = await readdir(join(outputDir, 'explain', method)).catch(() => [] as string[]);
    for (const name of names.sort()) files.push(join(outputDir, 'explain', method, name));
  }
  const stamps = await Promise.all(files.map(stampOf));
  return `${JSON.stringify(foreground)}|${stamps.join('|')}`;
}

export async function explainSectionJob(p: JobParams['explainSection'], ctx: JobContext): Promise<ExplainSectionData | null> {
  const { config } = parsedConfig(p, 'show its explanations');
  const outputDir = resultsDirOf(config);
  const summary = await readSummary(outputDir);
  if (!summary) return null;
  const stamp = await sourcesStamp(outputDir, config.dataset.foreground);
  const cached = cache.get(outputDir);
  if (cached?.stamp === stamp) return cached.section;
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: DATASET_MAX_AGE_MS });
  const section = (await reportExplainSection(outputDir, explainShownOf(summary), { cases: dataset.cases, foreground: config.dataset.foreground })) ?? null;
  cache.delete(outputDir);
  cache.set(outputDir, { stamp, section });
  if (cache.size > CACHED_FOLDERS) cache.delete(cache.keys().next().value!);
  return section;
}
