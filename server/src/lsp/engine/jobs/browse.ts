/** `medseg/images` and `medseg/previewData` in the worker: the cases of a config and one case's layers. */
import type { ImagesResult, PreviewDataResult } from '../../../protocol';
import type { MedsegConfig } from '../../../core/config';
import { imageExtension, readNiftiHeader } from '../../../core/io';
import { previewCase } from '../../preview';
import { bestModelOf, evaluatedSplitOf, readPerImageRows, readSummary, resultsDirOf } from '../../results';
import type { JobParams } from '../protocol';
import type { JobContext } from './context';
import { parsedConfig } from './parsedConfig';

/** Browsing may use a dataset resolved a little earlier: a click must not list every file again. */
const BROWSE_MAX_AGE_MS = 30_000;

function configOf(p: { file: string; text: string }): MedsegConfig {
  return parsedConfig(p, 'browse its images').config;
}

export async function imagesJob(p: JobParams['images'], ctx: JobContext): Promise<ImagesResult> {
  const config = configOf(p);
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: BROWSE_MAX_AGE_MS });
  const split = p.split ?? 'all';
  const cases = dataset.cases.filter((c) => split === 'all' || c.split === split);
  const dir = resultsDirOf(config);
  const [rows, summary] = await Promise.all([readPerImageRows(dir), readSummary(dir)]);
  const dice = new Map<string, Record<string, number | undefined>>();
  const methods: string[] = [];
  for (const r of rows) {
    if (!methods.includes(r.method)) methods.push(r.method);
    let perMethod = dice.get(r.imageId);
    if (!perMethod) dice.set(r.imageId, (perMethod = {}));
    perMethod[r.method] = r.metrics.dice;
  }
  const images: ImagesResult['images'] = [];
  for (const c of cases) {
    let depth = 1;
    const ext = imageExtension(c.image);
    if (c.slice === undefined && (ext === '.nii' || ext === '.nii.gz')) {
      const { dims } = await readNiftiHeader(c.image).catch(() => ({ dims: [2, 1, 1, 1] }));
      depth = dims[0] >= 3 ? dims[3] : 1;
    }
    images.push({ id: c.id, ...(c.split ? { split: c.split } : {}), image: c.image, depth, ...(dice.has(c.id) ? { dice: dice.get(c.id) } : {}) });
  }
  const evaluatedSplit = evaluatedSplitOf(summary);
  const rankedBy = bestModelOf(config, summary);
  return { images, methods, ...(evaluatedSplit ? { evaluatedSplit } : {}), ...(rankedBy ? { rankedBy } : {}) };
}

export async function previewJob(p: JobParams['preview'], ctx: JobContext): Promise<PreviewDataResult> {
  const config = configOf(p);
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: BROWSE_MAX_AGE_MS });
  return previewCase(config, dataset, { image: p.image, slice: p.slice, window: p.window }, ctx.signal);
}
