/**
 * The features UMAP maps are made of, for a list of cases: every image's own features, and with
 * `explain.umap.features` set, each ONNX model's pooled layer activations. One process makes
 * them for all images (`medseg umap`), or a shard for its images (`medseg umap --shard I/N`),
 * whose features `medseg merge` puts back together before the one embedding.
 */
import { readFile } from 'node:fs/promises';
import type { MedsegConfig } from '../../config/types';
import type { DatasetCase, ResolvedDataset } from '../../dataset/types';
import { InputError, type Finding } from '../../findings';
import { sha256 } from '../../util/hash';
import { LayerFeatures } from '../layerFeatures';
import type { FeatureMatrix } from './featureMatrix';
import { streamFeatures } from './featureStream';
import { subsampleBySplit } from './subsample';

/** One map's features: its rows (by case), and the images its model failed on. */
export interface FeatureSource {
  /** `images`, or `<model>:<layer>`. */
  name: string;
  features: 'images' | 'layer';
  model?: string;
  layer?: string;
  /** The model file's SHA-256 (layer maps): shards of another model file are not merged. */
  modelSha256?: string;
  matrix: FeatureMatrix;
  /** Ids of images the model failed on, in case order (on no row of this map). */
  failed: string[];
  failureMessage?: string;
}

export interface ExtractedFeatures {
  sources: FeatureSource[];
  /** Cases whose image could not be read (on no map), in case order. */
  unreadable: string[];
  /** Models with no feature map at all (the file is missing, the layer does not exist). */
  modelFindings: Finding[];
}

/** The cases on the maps: the dataset, or above `max_points` its seeded sample (in id order). */
export function umapCases(config: MedsegConfig, dataset: Pick<ResolvedDataset, 'cases'>): DatasetCase[] {
  const settings = config.explain.umap;
  return subsampleBySplit(dataset.cases, settings.maxPoints, settings.seed);
}

export async function extractFeatures(
  config: MedsegConfig,
  cases: readonly DatasetCase[],
  options: { provider?: MedsegConfig['runtime']['provider']; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<ExtractedFeatures> {
  const settings = config.explain.umap;
  const runtime = { ...config.runtime, provider: options.provider ?? config.runtime.provider };
  const modelFindings: Finding[] = [];
  const extractors: LayerFeatures[] = [];
  const modelSha = new Map<LayerFeatures, string>();
  try {
    if (settings.features !== 'images') {
      const layer = settings.features === 'auto' ? config.explain.gradcam.layer : settings.features;
      for (const model of config.models.filter((m) => m.path)) {
        options.signal?.throwIfAborted();
        try {
          const bytes = await readFile(model.path!);
          const extractor = await LayerFeatures.create(model, bytes, runtime, layer);
          extractors.push(extractor);
          modelSha.set(extractor, sha256(bytes));
        } catch (err) {
          if (!(err instanceof InputError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          modelFindings.push({
            code: err instanceof InputError ? err.code : 'model/missing-file',
            severity: 'error',
            message: `Model \`${model.name}\`: no feature map. ${(err as Error).message}`,
            location: { file: config.file },
            configPath: settings.features === 'auto' ? ['explain', 'gradcam', 'layer'] : ['explain', 'umap', 'features'],
          });
        }
      }
    }
    const streamed = await streamFeatures(cases, extractors, { signal: options.signal, onProgress: options.onProgress });
    return {
      sources: [
        { name: 'images', features: 'images', matrix: streamed.images, failed: [] },
        ...streamed.layers.map(
          (l): FeatureSource => ({
            name: `${l.extractor.model.name}:${l.extractor.layer}`,
            features: 'layer',
            model: l.extractor.model.name,
            layer: l.extractor.layer,
            modelSha256: modelSha.get(l.extractor),
            matrix: l.matrix,
            failed: l.failed,
            ...(l.failure ? { failureMessage: l.failure.message } : {}),
          }),
        ),
      ],
      unreadable: streamed.unreadable,
      modelFindings,
    };
  } finally {
    await Promise.all(extractors.map((e) => e.dispose()));
  }
}

/** What the extraction left off the maps: models without a map, unreadable images, images a model failed on. */
export function featureFindings(config: MedsegConfig, extracted: ExtractedFeatures): Finding[] {
  const here = { file: config.file };
  const findings = [...extracted.modelFindings];
  const { unreadable } = extracted;
  if (unreadable.length > 0) {
    findings.push({
      code: 'explain/umap-unreadable',
      severity: 'warning',
      message: `${unreadable.length} image(s) could not be read and are not on the map: ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''} (\`medseg validate\` says why).`,
      location: here,
      configPath: ['dataset'],
    });
  }
  for (const source of extracted.sources) {
    if (source.failed.length === 0) continue;
    findings.push({
      code: 'explain/run-failed',
      severity: 'warning',
      message: `Model \`${source.model}\` failed on ${source.failed.length} image(s), which are not on its map: ${source.failed.slice(0, 5).join(', ')}${source.failed.length > 5 ? ', …' : ''}. ${source.failureMessage ?? ''}`.trim(),
      location: here,
      configPath: ['models'],
    });
  }
  return findings;
}
