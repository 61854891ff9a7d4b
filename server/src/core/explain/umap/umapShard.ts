/**
 * `medseg umap --shard I/N`: the features of the shard's images only (the same images `evaluate
 * --shard I/N` takes of a split: by a hash of the id), kept in the shard's folder for `medseg
 * merge`, which puts every shard's rows back in the maps' order and embeds them once. Feature
 * extraction is the part of a UMAP run that grows with the images (decoding, and a model run per
 * image); the embedding needs every image at once.
 */
import { refuseRegions } from '../../config/regions';
import type { MedsegConfig } from '../../config/types';
import type { ResolvedDataset } from '../../dataset/types';
import { datasetDigest, imageListOf } from '../../evaluate/shardParts';
import { shardOf, type Shard } from '../../evaluate/selectCases';
import type { Finding } from '../../findings';
import { probeWritable, resultsDestination, writingInto } from '../../io/writeErrors';
import { checkHoldsNoInputs, datasetInputFiles } from '../../results/inputsInside';
import { withResultsLock, type ResultsLock } from '../../results/lock';
import { resultsFolderOf } from '../../results/resultPath';
import { ENGINE_BUILD, ENGINE_VERSION } from '../../version';
import type { UmapOptions, UmapProgress } from './umapPipeline';
import { extractFeatures, featureFindings, umapCases } from './umapFeatures';
import { umapFeaturesFile, writeUmapFeatures, type UmapFeatureHeader } from './umapShardRecord';

export interface UmapShardOptions extends Pick<UmapOptions, 'outputDir' | 'provider' | 'signal'> {
  shard: Shard;
  onProgress?: (p: UmapProgress) => void;
  lock?: ResultsLock;
}

export interface UmapShardResult {
  outputDir: string;
  /** The record written (`shard/umap_features.bin`). */
  file: string;
  header: UmapFeatureHeader;
  findings: Finding[];
}

/** Whether a case belongs to `shard` (the rule of evaluate's selectCases). */
export function inShard(id: string, shard: Shard): boolean {
  return shard.count <= 1 || shardOf(id, shard.count) === shard.index;
}

/** The settings UMAP features depend on, as a shard records them (the merge compares them). */
export function featureSettings(config: MedsegConfig): UmapFeatureHeader['settings'] {
  const u = config.explain.umap;
  const layer = u.features === 'images' ? '–' : u.features === 'auto' ? config.explain.gradcam.layer : u.features;
  return { features: u.features, layer, max_points: u.maxPoints, seed: u.seed };
}

export async function umapShardFeatures(config: MedsegConfig, dataset: ResolvedDataset, options: UmapShardOptions): Promise<UmapShardResult> {
  refuseRegions(config, 'medseg umap --shard', 'map a binary config of one region (its labels as `foreground`).');
  const outputDir = resultsFolderOf(config, options.outputDir);
  checkHoldsNoInputs(outputDir, datasetInputFiles(config, dataset));
  const destination = resultsDestination(outputDir);
  await probeWritable(destination);
  const all = umapCases(config, dataset);
  const cases = all.filter((c) => inShard(c.id, options.shard));
  const extracted = await extractFeatures(config, cases, {
    provider: options.provider,
    signal: options.signal,
    onProgress: (done, total) => options.onProgress?.({ stage: 'features', done, total, fraction: done / total, overall: done / total }),
  });
  const findings = featureFindings(config, extracted);
  const command = `medseg umap ${config.file} --shard ${options.shard.index + 1}/${options.shard.count}`;
  const header = await writingInto(
    destination,
    () =>
      withResultsLock(
        outputDir,
        command,
        () =>
          writeUmapFeatures(
            outputDir,
            {
              shard: options.shard,
              config: config.file,
              config_sha256: config.sourceSha256 ?? '',
              engine_version: ENGINE_VERSION,
              build: ENGINE_BUILD,
              dataset_sha256: datasetDigest(dataset.cases),
              settings: featureSettings(config),
              images: imageListOf(all.map((c) => c.id)),
              ids: cases.map((c) => c.id),
              unreadable: extracted.unreadable,
              model_findings: extracted.modelFindings,
            },
            extracted.sources,
          ),
        options.lock,
      ),
    { probe: false },
  );
  return { outputDir, file: umapFeaturesFile(outputDir), header, findings };
}
