/**
 * The explanation galleries of one model and method: from its per-image rows, the images with the
 * most and the least heat inside the reference, each drawn as a small thumbnail of the image with
 * its heatmap over it and the reference outlined. Rows stream through bounded lists, so a model
 * explained on 10,000 images costs no more memory than one explained on ten.
 */
import type { ExplainThumbnailData } from '../../protocol';
import type { DatasetCase } from '../dataset/types';
import { EXPLAIN_UNREADABLE_CODE } from '../explain/explainFile';
import type { ExplainedImage } from '../explain/explainReport';
import { explainRowFiles, readExplainRows } from '../explain/explainRows';
import { InputError } from '../findings';
import { readImage, readMask } from '../io';
import type { ForegroundRule } from '../io/types';
import { caseFilePath } from '../results/fileNames';
import { mapConcurrent } from '../util/concurrency';
import { toDisplayRgb } from './display';
import { heatThumbnail, jpegDataUri } from './heatOverlay';

/** Candidates for the two galleries. */
export interface GalleryRows {
  /** The `count` rows with the most heat inside the reference, most first (ties: image id). */
  most: ExplainedImage[];
  /** The `2·count` rows with the least, least first (ties: image id): enough to show `count` that are not among the most. */
  least: ExplainedImage[];
}

const byId = (a: ExplainedImage, b: ExplainedImage) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const mostFirst = (a: ExplainedImage, b: ExplainedImage) => b.inside_reference! - a.inside_reference! || byId(a, b);
const leastFirst = (a: ExplainedImage, b: ExplainedImage) => a.inside_reference! - b.inside_reference! || byId(a, b);

/** Keeps the first `limit` of a stream in `order` (a sorted list, one insertion per row that makes it). */
function keep(list: ExplainedImage[], row: ExplainedImage, limit: number, order: (a: ExplainedImage, b: ExplainedImage) => number): void {
  if (list.length === limit && order(row, list[limit - 1]) >= 0) return;
  let i = list.length;
  while (i > 0 && order(row, list[i - 1]) < 0) i--;
  list.splice(i, 0, row);
  if (list.length > limit) list.pop();
}

/**
 * The `count` rows with the most heat inside the reference and the `2·count` with the least (the
 * least `count` outside any `count` shown as most are among them). Rows without the share (an empty
 * reference) take no part.
 */
export async function rankByHeatInside(rows: AsyncIterable<ExplainedImage> | Iterable<ExplainedImage>, count: number): Promise<GalleryRows> {
  const most: ExplainedImage[] = [];
  const least: ExplainedImage[] = [];
  if (count < 1) return { most, least };
  for await (const row of rows) {
    if (row.inside_reference === null || !Number.isFinite(row.inside_reference)) continue;
    keep(most, row, count, mostFirst);
    keep(least, row, 2 * count, leastFirst);
  }
  return { most, least };
}

export interface GalleryContext {
  outputDir: string;
  method: string;
  model: string;
  /** Cases by id: where each image and its reference are. */
  cases: ReadonlyMap<string, DatasetCase>;
  foreground: ForegroundRule;
  /** Longer side of a thumbnail in pixels. */
  size: number;
}

/**
 * One row as a thumbnail: the image (of a volume only the slice explained), the heatmap, and the
 * reference outlined when it can be read (a thumbnail without the outline still says something).
 */
async function thumbnail(row: ExplainedImage, c: DatasetCase, ctx: GalleryContext): Promise<ExplainThumbnailData> {
  const heatFile = caseFilePath(ctx.outputDir, `heatmaps/${ctx.method}`, ctx.model, row.id, '.png');
  const slice = c.slice ?? row.slice;
  const [image, heatmap, reference] = await Promise.all([
    readImage(c.image, { slice }),
    readImage(heatFile),
    c.mask ? readMask(c.mask, ctx.foreground, { slice }).catch(() => undefined) : undefined,
  ]);
  const { width, height } = image;
  if (heatmap.width !== width || heatmap.height !== height) {
    throw new InputError(heatFile, `${heatFile} is ${heatmap.width}×${heatmap.height} but its image is ${width}×${height}; run \`medseg explain\` again.`, EXPLAIN_UNREADABLE_CODE);
  }
  const heat = new Uint8Array(width * height);
  for (let i = 0; i < heat.length; i++) heat[i] = heatmap.data[i * heatmap.channels];
  const fits = reference && reference.width === width && reference.height === height && reference.depth === 1;
  const refPlane = fits ? reference.data : undefined;
  const jpeg = await heatThumbnail(toDisplayRgb(image, 0).rgb, heat, refPlane, width, height, { maxSize: ctx.size });
  return {
    imageId: row.id,
    model: ctx.model,
    ...(row.slice !== undefined ? { slice: row.slice } : {}),
    src: jpegDataUri(jpeg),
    dice: row.dice,
    ...(row.inside_reference !== null ? { insideReference: row.inside_reference } : {}),
    ...(row.inside_fp !== null ? { insideFp: row.inside_fp } : {}),
    ...(row.inside_fn !== null ? { insideFn: row.inside_fn } : {}),
  };
}

export interface ModelGallery {
  most: ExplainThumbnailData[];
  least: ExplainThumbnailData[];
  /** Why fewer thumbnails than picked rows are shown (rows missing, images gone, …). */
  note?: string;
}

/** Images drawn at once: each holds one decoded image, heatmap and mask. */
const THUMBNAIL_CONCURRENCY = 4;

/**
 * The galleries of one model and method: `perList` thumbnails each where they can be drawn. A row
 * whose thumbnail cannot be drawn (its image is not a case, a file is gone) gives way to the next
 * in rank — up to as many again as wanted — and is counted in `note`; never an error.
 */
export async function modelGallery(ctx: GalleryContext, perList: number): Promise<ModelGallery> {
  let ranked: GalleryRows;
  try {
    ranked = await rankByHeatInside(readExplainRows(explainRowFiles(ctx.outputDir, ctx.method, ctx.model).rows), 2 * perList);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { most: [], least: [], note: `No gallery: ${err.message}` };
  }
  const missing: string[] = [];
  const failed: string[] = [];
  const unusable = new Set<string>();
  const drawOne = async (row: ExplainedImage): Promise<ExplainThumbnailData | undefined> => {
    const c = ctx.cases.get(row.id);
    if (!c) {
      missing.push(row.id);
      unusable.add(row.id);
      return undefined;
    }
    try {
      return await thumbnail(row, c, ctx);
    } catch (err) {
      failed.push(`${row.id}: ${(err as Error).message}`);
      unusable.add(row.id);
      return undefined;
    }
  };
  /** The first `perList` candidates that draw, in rank order, a batch of the missing number at a time. */
  const draw = async (candidates: readonly ExplainedImage[]): Promise<ExplainThumbnailData[]> => {
    const shown: ExplainThumbnailData[] = [];
    let next = 0;
    while (shown.length < perList && next < candidates.length) {
      const batch = candidates.slice(next, next + perList - shown.length);
      next += batch.length;
      for (const t of await mapConcurrent(batch, THUMBNAIL_CONCURRENCY, drawOne)) if (t) shown.push(t);
    }
    return shown;
  };
  const most = await draw(ranked.most);
  const inMost = new Set(most.map((t) => t.imageId));
  const least = await draw(ranked.least.filter((r) => !inMost.has(r.id) && !unusable.has(r.id)));
  const notes: string[] = [];
  if (missing.length) notes.push(`${missing.length} image${missing.length === 1 ? ' is' : 's are'} not among this report's cases (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`);
  if (failed.length) notes.push(`${failed.length} thumbnail${failed.length === 1 ? '' : 's'} could not be drawn (${failed[0]}${failed.length > 1 ? '; …' : ''})`);
  return { most, least, ...(notes.length ? { note: `${notes.join('; ')}.` } : {}) };
}
