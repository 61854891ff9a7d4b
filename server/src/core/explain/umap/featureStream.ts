/**
 * Features of every case for every map, streamed: images are decoded two at a time, each reduced
 * at once to what the maps need (its 768 image features, and each model's prepared input), and
 * dropped; the models then run on the batch while the next batch decodes. So at most two
 * decoded images (a volume is read whole for its intensity range, then only its middle slice is
 * used) and two batches of model inputs are alive at any time, whatever the dataset's size.
 */
import type { DatasetCase } from '../../dataset/types';
import { InputError } from '../../findings';
import { readImage } from '../../io';
import { maxOf } from '../../util/arrays';
import { mapConcurrent } from '../../util/concurrency';
import type { LayerFeatures } from '../layerFeatures';
import { FeatureMatrix } from './featureMatrix';
import { imageFeatures } from './imageFeatures';

/** Decodes in flight at once: sharp and the NIfTI reader work on libuv's threads meanwhile. */
const DECODES_IN_FLIGHT = 2;
/** Cases per batch when no model runs (image features only). */
const IMAGE_BATCH = 32;

export interface LayerSource {
  extractor: LayerFeatures;
  matrix: FeatureMatrix;
  /** Ids of images the model failed on (they are left off this map only). */
  failed: string[];
  failure?: InputError;
}

export interface StreamedFeatures {
  images: FeatureMatrix;
  layers: LayerSource[];
  /** Cases whose image could not be read: on no map. */
  unreadable: string[];
}

interface Decoded {
  features: Float32Array;
  inputs: Float32Array[];
}

/** A volume (one case per volume) is represented by its middle axial slice. */
function sliceOf(depth: number): number {
  return Math.floor(depth / 2);
}

async function decode(c: DatasetCase, extractors: readonly LayerFeatures[]): Promise<Decoded> {
  const image = await readImage(c.image, { slice: c.slice });
  const slice = image.depth > 1 ? sliceOf(image.depth) : 0;
  return { features: imageFeatures(image, slice), inputs: extractors.map((e) => e.prepare(image, slice)) };
}

function decodeBatch(cases: readonly DatasetCase[], extractors: readonly LayerFeatures[], signal?: AbortSignal): Promise<(Decoded | InputError)[]> {
  const batch = mapConcurrent(cases, DECODES_IN_FLIGHT, async (c) => {
    signal?.throwIfAborted();
    try {
      return await decode(c, extractors);
    } catch (err) {
      if (err instanceof InputError) return err;
      const e = err as NodeJS.ErrnoException;
      if (e?.code === 'ENOENT') return new InputError(c.image, `${c.image} does not exist.`, 'io/not-found');
      throw err;
    }
  });
  // A prefetch that fails after the loop has stopped (an abort) must not be an unhandled rejection.
  batch.catch(() => undefined);
  return batch;
}

export async function streamFeatures(
  cases: readonly DatasetCase[],
  extractors: readonly LayerFeatures[],
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<StreamedFeatures> {
  const n = cases.length;
  const images = new FeatureMatrix(n);
  const layers: LayerSource[] = extractors.map((extractor) => ({ extractor, matrix: new FeatureMatrix(n), failed: [] }));
  const unreadable: string[] = [];
  const batch = extractors.length > 0 ? maxOf(extractors.map((e) => e.batch), 1) : IMAGE_BATCH;
  let next = n > 0 ? decodeBatch(cases.slice(0, batch), extractors, options.signal) : undefined;
  for (let start = 0; start < n; start += batch) {
    const decoded = await next!;
    options.signal?.throwIfAborted();
    next = start + batch < n ? decodeBatch(cases.slice(start + batch, start + 2 * batch), extractors, options.signal) : undefined;
    const ok: number[] = [];
    decoded.forEach((d, k) => {
      if (d instanceof InputError) unreadable.push(cases[start + k].id);
      else {
        images.set(start + k, d.features);
        ok.push(k);
      }
    });
    for (const [s, layer] of layers.entries()) {
      const inputs = ok.map((k) => (decoded[k] as Decoded).inputs[s]);
      await runLayer(layer, inputs, ok.map((k) => start + k), cases);
    }
    options.onProgress?.(Math.min(n, start + batch), n);
  }
  return { images, layers, unreadable };
}

/** One batch through one model; a batch that fails is retried image by image, so one bad image costs only itself. */
async function runLayer(layer: LayerSource, inputs: Float32Array[], rows: number[], cases: readonly DatasetCase[]): Promise<void> {
  if (inputs.length === 0) return;
  try {
    const pooled = await layer.extractor.pooledBatch(inputs);
    pooled.forEach((f, i) => layer.matrix.set(rows[i], f));
    return;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    if (inputs.length === 1) {
      layer.failed.push(cases[rows[0]].id);
      layer.failure ??= err;
      return;
    }
  }
  for (let i = 0; i < inputs.length; i++) await runLayer(layer, [inputs[i]], [rows[i]], cases);
}
