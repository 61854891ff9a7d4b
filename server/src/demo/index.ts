/**
 * The synthetic demo workspace: three small data sets shaped like real ones (ISIC 2018 dermoscopy,
 * prostate histology patches, KiTS19 CT), with clinical labels, split files that carry planted
 * problems (and clean ones that do not), configs and a README. Deterministic from the seed; no
 * download. The demo models are written separately (`./models`), except the trained dermoscopy
 * model, which comes with its own config and split (`./trainedModel`).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generateCt } from './ct';
import { generateDermoscopy } from './dermoscopy';
import { generateHistology } from './histology';
import type { DemoModality, DemoModalitySummary, GenerateContext } from './modality';
import { demoReadme } from './readme';
import { defaultTrainedAsset } from './trainedModel';

export type { DemoModality, DemoModalitySummary } from './modality';
export type { DemoSplit } from './cohort';

export interface CreateDemoOptions {
  /** Same seed, same bytes. Default 1. */
  seed?: number;
  /** Multiplies the number of images per modality (tests use 0.25); small data sets keep a minimum. */
  scale?: number;
  signal?: AbortSignal;
  onProgress?: (event: { modality: DemoModality; done: number; total: number }) => void;
  /**
   * The trained dermoscopy model (an `.onnx` with its `.json` training record beside it, written
   * by scripts/train_demo_unet.py), added with its own config when it was trained on the images
   * this run writes. Default: `demo-assets/dermoscopy-resnet-unet.onnx` beside MedSeg Eval, when
   * there; `false` leaves it out.
   */
  trainedModel?: string | false;
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

/** Marks a modality folder as the demo's; only such folders have their data replaced on a rerun. */
const DEMO_MARKER = '.medseg-demo';

/**
 * Removes the data a previous run generated (a smaller scale or another seed would leave stray
 * images behind), keeping everything else, such as written models and results. Folders named like
 * the demo's (`images`, `masks`, KiTS-style `case_00000`) that the demo did not write — no marker,
 * no demo config from before the marker — are real data: the demo refuses instead of deleting them.
 */
async function clearGeneratedData(folder: string, modality: DemoModality): Promise<void> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  const generated = entries.filter((name) => name === 'images' || name === 'masks' || /^case_\d{5}$/.test(name));
  if (generated.length === 0) return;
  if (!entries.includes(DEMO_MARKER) && !entries.includes(`${modality}.medseg.yaml`)) {
    throw new Error(`${folder} holds ${generated.slice(0, 3).join(', ')}${generated.length > 3 ? ', …' : ''}, which the demo did not write; the demo replaces such folders, so it writes nothing there. Choose a new folder for the demo.`);
  }
  for (const name of generated) await rm(join(folder, name), { recursive: true, force: true });
}

export async function createDemoData(root: string, options: CreateDemoOptions = {}): Promise<DemoDataSummary> {
  const seed = options.seed ?? 1;
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`createDemoData: scale must be a positive number, got ${scale}`);
  const absoluteRoot = resolve(root);
  await mkdir(absoluteRoot, { recursive: true });
  const modalities: DemoModalitySummary[] = [];
  const trainedModel = options.trainedModel === false ? undefined : (options.trainedModel ?? defaultTrainedAsset() ?? null);
  for (const [modality, generate] of GENERATORS) {
    options.signal?.throwIfAborted();
    const folder = join(absoluteRoot, modality);
    await clearGeneratedData(folder, modality);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, DEMO_MARKER), 'Written by the MedSeg Eval demo: images/, masks/ and case_*/ here are replaced when it runs again.\n');
    modalities.push(
      await generate(absoluteRoot, {
        seed,
        scale,
        signal: options.signal,
        trainedModel,
        onProgress: (done, total) => options.onProgress?.({ modality, done, total }),
      }),
    );
  }
  await writeFile(join(absoluteRoot, 'README.md'), demoReadme(seed, modalities));
  return { root: absoluteRoot, seed, scale, modalities };
}
