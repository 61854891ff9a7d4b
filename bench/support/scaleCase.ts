/**
 * The seed-scale case that bench/scale.ts and bench/slurm-scale.ts both run: N seeded blob images
 * of SIZE×SIZE shared under bench/.data/scale-N-SIZE/, and in a bench's own folder there the three
 * demo dermoscopy models (input 128×128) and a config with 5 fusions, statistics and a cache.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoModel } from '../../server/src/demo/models';
import { writeBlobDataset } from './blobDataset';

export const SCALE_MODELS = ['tii-sharp', 'tii-over', 'lmi-under'] as const;

/** Writes (or checks) the images, then the models and the config into `dir` (a folder under `data`); returns the config's path. */
export async function writeScaleCase(data: string, dir: string, n: number, size: number, runtime: Record<string, string> = {}, log: (line: string) => void = console.log): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  await writeBlobDataset(data, n, size);
  log(`dataset: ${n} images ${size}×${size} (${((performance.now() - t0) / 1000).toFixed(0)} s to write or check)`);
  for (const m of SCALE_MODELS) writeFileSync(join(dir, `${m}.onnx`), buildDemoModel('dermoscopy', m));
  const config = join(dir, 'scale.medseg.yaml');
  const runtimeKeys = Object.entries({ cache: 'cache', ...runtime }).map(([k, v]) => `${k}: ${v}`).join(', ');
  writeFileSync(
    config,
    `dataset:\n  images: ../images/*.png\n  masks: ../masks/{stem}.png\nmodels:\n` +
      SCALE_MODELS.map((m) => `  - name: ${m}\n    path: ${m}.onnx\n    input: { size: [128, 128] }\n`).join('') +
      `evaluation: { bootstrap: 1000 }\nruntime: { ${runtimeKeys} }\noutput: results\n`,
  );
  return config;
}
