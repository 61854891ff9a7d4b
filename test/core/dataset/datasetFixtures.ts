/** Shared by the dataset tests: temp layouts, typed configs built directly, tiny NIfTI files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DatasetConfig, MedsegConfig, ModelConfig, SplitsConfig } from '../../../server/src/core/config/types';

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'medseg-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes files (empty unless content is given) under `root`, creating folders. */
export function writeFiles(root: string, files: Record<string, string | Uint8Array> | string[]): void {
  const entries = Array.isArray(files) ? files.map((f) => [f, ''] as const) : Object.entries(files);
  for (const [rel, content] of entries) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

export function predictionsModel(name: string, predictions: string, index: number): ModelConfig {
  return {
    name,
    predictions,
    family: 'other',
    input: { layout: 'NCHW', channels: 3, normalize: { kind: 'imagenet' } },
    output: { activation: 'sigmoid', channel: 1, threshold: 0.5 },
    index,
  };
}

export function makeConfig(
  dir: string,
  dataset: Partial<DatasetConfig>,
  extra: { splits?: Partial<SplitsConfig>; models?: ModelConfig[] } = {},
): MedsegConfig {
  return {
    file: join(dir, 'exp.medseg.yaml'),
    dir,
    name: 'exp',
    dataset: { idColumn: 'image_id', labelColumns: [], foreground: { kind: 'nonzero' }, volumes: '3d', ...dataset },
    splits: extra.splits
      ? { alpha: 0.05, minPerLabel: 5, targetCiHalfwidth: 0.02, duplicateDistance: 4, ...extra.splits }
      : undefined,
    models: extra.models ?? [],
    evaluation: {
      split: 'all',
      metrics: ['dice'],
      fusion: [],
      correctDice: 0.8,
      targetDice: 0.9,
      primaryMetric: 'dice',
      compare: { alpha: 0.05, correction: 'holm' },
      bootstrap: 100,
      seed: 1,
    },
    explain: {
      gradcam: { layer: 'auto', images: 4, method: 'gradcam', gradients: 'auto', target: 'prediction' },
      saliency: { samples: 4, noise: 0.15, steps: 8, seed: 0 },
      umap: { features: 'auto', neighbors: 15, minDist: 0.1, colorBy: 'split', maxPoints: 1000, neighborSearch: 'auto', seed: 1 },
    },
    stress: { perturbations: [], labelMixes: [], repeats: 1, dropThreshold: 0.05, seed: 1 },
    runtime: { provider: 'cpu', batch: 1, threads: 1, cache: join(dir, '.cache') },
    output: join(dir, 'out'),
  };
}

/**
 * A minimal single-file NIfTI-1 volume of uint8 zeros (written here byte by byte after nifti1.h,
 * independently of the engine's writer): sizeof_hdr 348, dim, datatype 2, bitpix 8, vox_offset 352,
 * magic "n+1".
 */
export function niftiBytes(dims: number[], gzip = true): Uint8Array {
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0);
  header.writeInt16LE(dims.length, 40);
  dims.forEach((d, i) => header.writeInt16LE(d, 42 + 2 * i));
  header.writeInt16LE(2, 70);
  header.writeInt16LE(8, 72);
  for (let i = 0; i < 8; i++) header.writeFloatLE(1, 76 + 4 * i);
  header.writeFloatLE(352, 108);
  header.write('n+1\0', 344, 'latin1');
  const voxels = Buffer.alloc(dims.reduce((a, b) => a * b, 1));
  const file = Buffer.concat([header, voxels]);
  return gzip ? gzipSync(file) : file;
}
