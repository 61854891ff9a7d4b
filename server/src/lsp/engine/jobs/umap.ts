/**
 * `medseg/umap` and `medseg/thumbnail` in the worker: the maps of umap.json for the view, with
 * progress per phase; and the small picture of one case the view shows on hover.
 */
import type { ThumbnailResult, UmapResult } from '../../../protocol';
import { caseThumbnail, umapExperiment, umapViewData, type UmapProgress } from '../../../core/explain';
import { pngDataUri } from '../../../core/report/display';
import { JobError, type JobParams } from '../protocol';
import type { JobContext } from './context';
import { parsedConfig } from './parsedConfig';

/** A hover may use a dataset resolved a little earlier: listing 60,000 files per hover would not do. */
const THUMBNAIL_MAX_AGE_MS = 60_000;

const PHASE_NAMES = { pca: 'PCA', neighbours: 'nearest neighbours', layout: 'layout', ood: 'out-of-distribution test' } as const;

/** "Features 1,200 / 60,000 images", "Map images: nearest neighbours 40 %". */
export function umapProgressMessage(p: UmapProgress): string {
  if (p.stage === 'features') return `Features ${(p.done ?? 0).toLocaleString('en')} / ${(p.total ?? 0).toLocaleString('en')} images`;
  const phase = p.phase ? PHASE_NAMES[p.phase] : 'embedding';
  return `Map ${p.map ?? ''}: ${phase}${p.fraction > 0 && p.fraction < 1 ? ` ${Math.round(100 * p.fraction)} %` : ''}`;
}

export async function umapJob(p: JobParams['umap'], ctx: JobContext): Promise<UmapResult> {
  const { config } = parsedConfig(p, 'compute the UMAP');
  const colorBy = p.colorBy ?? config.explain.umap.colorBy;
  ctx.progress('Resolving dataset', 0);
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: 0 });
  const result = await umapExperiment(config, dataset, { signal: ctx.signal, onProgress: (e) => ctx.progress(umapProgressMessage(e), e.overall) });
  return umapViewData(result.report, colorBy, result.outputDir);
}

export async function thumbnailJob(p: JobParams['thumbnail'], ctx: JobContext): Promise<ThumbnailResult> {
  const { config } = parsedConfig(p, 'show the image');
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: THUMBNAIL_MAX_AGE_MS });
  const c = dataset.cases.find((x) => x.id === p.imageId);
  if (!c) throw new JobError('image-not-found', `No image \`${p.imageId}\` in the dataset of ${config.file}: the dataset changed since the map was made; run "MedSeg: Show UMAP" again.`);
  const t = await caseThumbnail(c, p.size);
  return { imageId: p.imageId, width: t.width, height: t.height, dataUri: pngDataUri(t.png) };
}
