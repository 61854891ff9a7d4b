/**
 * The histology data set: prostate-biopsy-like patches `images/patch_0001.png` with tumour masks
 * `masks/patch_0001_mask.png`, about four patches per patient, a Gleason grade per patient (benign
 * and low grades common, 4+4 and 5+5 rare) and a staining batch. Benign patients' patches, and some
 * patches of tumour patients, have empty masks.
 */
import { join } from 'node:path';
import { padded, patientSizes, scaledCount, shuffledLabels, type DemoCase } from './cohort';
import { writeCohortFiles } from './cohortFiles';
import { forEachLimited } from './concurrency';
import { writeDemoConfigs } from './configs';
import { drawHistologyPatch } from './histologyImage';
import { summarizeModality, type DemoModalitySummary, type GenerateContext } from './modality';
import { deriveSeed, SeededRandom } from './random';
import { writeMaskPng, writeRgbPng } from './rasterFiles';
import { planSplits, type PlantedProblems } from './splitPlan';

export const GLEASON_SHARES = { benign: 0.3, '3+3': 0.25, '3+4': 0.2, '4+3': 0.14, '4+4': 0.07, '5+5': 0.04 };
const STAIN_SHARES = { A: 0.55, B: 0.3, C: 0.15 };
const LABEL_COLUMNS = ['gleason', 'stain_batch'] as const;
/** Share of a tumour patient's patches that catch tumour; the rest show only benign tissue. */
const TUMOUR_PATCH_RATE = 0.8;

export interface HistologyCase extends DemoCase {
  drawSeed: number;
  withTumour: boolean;
}

export function planHistologyCohort(seed: number, scale: number): { cases: HistologyCase[]; problems: PlantedProblems } {
  const rng = new SeededRandom(deriveSeed(seed, 'histology', 'cohort'));
  // At least 32 patches (about 8 patients), so every Gleason group has a patient even at small scales.
  const total = scaledCount(80, scale, 32);
  const sizes = patientSizes(rng, total, 3, 5);
  const grades = shuffledLabels(rng, sizes.length, GLEASON_SHARES);
  const batches = shuffledLabels(rng, sizes.length, STAIN_SHARES);
  const numbers = rng.shuffled(Array.from({ length: sizes.length }, (_, i) => 101 + 3 * i));
  const cases: HistologyCase[] = [];
  sizes.forEach((size, p) => {
    for (let k = 0; k < size; k++) {
      cases.push({
        id: '',
        patientId: `PR${padded(numbers[p], 4)}`,
        labels: { gleason: grades[p], stain_batch: batches[p] },
        drawSeed: deriveSeed(seed, 'histology', 'patch', p, k),
        // The first patch of a tumour patient always shows tumour, so every grade has some.
        withTumour: grades[p] !== 'benign' && (k === 0 || rng.chance(TUMOUR_PATCH_RATE)),
      });
    }
  });
  rng.shuffled(cases.map((_, i) => i)).forEach((slot, i) => (cases[slot].id = `patch_${padded(i + 1, 4)}`));
  return { cases, problems: { column: 'gleason', drift: '4+3', driftShare: 0.6, driftRest: 'train', rare: '5+5' } };
}

export async function generateHistology(root: string, context: GenerateContext): Promise<DemoModalitySummary> {
  const folder = join(root, 'histology');
  const { cases, problems } = planHistologyCohort(context.seed, context.scale);
  const plan = planSplits(new SeededRandom(deriveSeed(context.seed, 'histology', 'splits')), cases, problems);
  let emptyMasks = 0;
  let done = 0;
  await forEachLimited(
    cases,
    4,
    async (c) => {
      const patch = drawHistologyPatch(c.drawSeed, c.labels.gleason, c.withTumour, c.labels.stain_batch);
      await writeRgbPng(join(folder, 'images', `${c.id}.png`), patch.rgb, patch.width, patch.height);
      await writeMaskPng(join(folder, 'masks', `${c.id}_mask.png`), patch.mask, patch.width, patch.height);
      if (!patch.mask.includes(1)) emptyMasks++;
      context.onProgress?.(++done, cases.length);
    },
    context.signal,
  );
  await writeCohortFiles(folder, cases, LABEL_COLUMNS, plan);
  const configs = await writeDemoConfigs(folder, {
    modality: 'histology',
    imitates: 'prostate biopsy histopathology patches with tumour masks',
    images: 'images/*.png',
    masks: 'masks/{stem}_mask.png',
    labelColumns: LABEL_COLUMNS,
    foreground: '255',
    inputSize: [128, 128],
    channels: 3,
    normalize: 'imagenet',
  });
  return summarizeModality('histology', folder, cases, LABEL_COLUMNS, plan, problems, emptyMasks, configs);
}
