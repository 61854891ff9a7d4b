/**
 * The synthetic demo workspace: three small data sets shaped like real ones (ISIC 2018 dermoscopy,
 * prostate histology patches, KiTS19 CT), with clinical labels, split files that carry planted
 * problems (and clean ones that do not), configs and a README. Deterministic from the seed; no
 * download. The demo models are written separately (`./models`).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generateCt } from './ct';
import { generateDermoscopy } from './dermoscopy';
import { generateHistology } from './histology';
import type { DemoModality, DemoModalitySummary, GenerateContext } from './modality';
import { demoReadme } from './readme';

export type { DemoModality, DemoModalitySummary } from './modality';
export type { DemoSplit } from './cohort';

export interface CreateDemoOptions {
  /** Same seed, same bytes. Default 1. */
  seed?: number;
  /** Multiplies the number of images per modality (tests use 0.25); small data sets keep a minimum. */
  scale?: number;
  signal?: AbortSignal;
  onProgress?: (event: { modality: DemoModality; done: number; total: number }) => void;
}

export interface DemoDataSummary {
  root: string;
  seed: number;
  scale: number;
  modalities: DemoModalitySummary[];
}

const GENERATORS: readonly [DemoModality, (root: string, context: GenerateContext) => Promise<DemoModalitySummary>][] = [
  ['dermoscopy', generateDermoscopy],
  ['histology', generateHistology],
  ['ct', generateCt],
];

/**
 * Removes the data a previous run generated (a smaller scale or another seed would leave stray
 * images behind), keeping everything else, such as written models and results.
 */
async function clearGeneratedData(folder: string): Promise<void> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  for (const name of entries) {
    if (name === 'images' || name === 'masks' || /^case_\d{5}$/.test(name)) await rm(join(folder, name), { recursive: true, force: true });
  }
}

export async function createDemoData(root: string, options: CreateDemoOptions = {}): Promise<DemoDataSummary> {
  const seed = options.seed ?? 1;
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`createDemoData: scale must be a positive number, got ${scale}`);
  const absoluteRoot = resolve(root);
  await mkdir(absoluteRoot, { recursive: true });
  const modalities: DemoModalitySummary[] = [];
  for (const [modality, generate] of GENERATORS) {
    options.signal?.throwIfAborted();
    const folder = join(absoluteRoot, modality);
    await clearGeneratedData(folder);
    await mkdir(folder, { recursive: true });
    modalities.push(
      await generate(absoluteRoot, {
        seed,
        scale,
        signal: options.signal,
        onProgress: (done, total) => options.onProgress?.({ modality, done, total }),
      }),
    );
  }
  await writeFile(join(absoluteRoot, 'README.md'), demoReadme(seed, modalities));
  return { root: absoluteRoot, seed, scale, modalities };
}
