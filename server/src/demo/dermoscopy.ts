/**
 * The dermoscopy data set in the ISIC 2018 task 1 layout: `images/ISIC_0000000.jpg` with
 * `masks/ISIC_0000000_segmentation.png`, about three images per patient, a diagnosis whose
 * frequencies are as uneven as in the real challenge, and one exact duplicate image filed under
 * another patient.
 */
import { join } from 'node:path';
import { padded, patientSizes, scaledCount, shuffledLabels, type DemoCase } from './cohort';
import { writeCohortFiles } from './cohortFiles';
import { forEachLimited } from './concurrency';
import { writeDemoConfigs, type DemoConfigSpec } from './configs';
import { drawDermoscopyImage } from './dermoscopyImage';
import { summarizeModality, type DemoModalitySummary, type GenerateContext } from './modality';
import { deriveSeed, SeededRandom } from './random';
import { writeMaskPng, writeRgbJpeg } from './rasterFiles';
import { planSplits, type PlantedProblems } from './splitPlan';
import { placeTrainedModel } from './trainedModel';

export const DIAGNOSIS_SHARES = { nevus: 0.6, melanoma: 0.2, seborrheic_keratosis: 0.12, dermatofibroma: 0.05, vascular: 0.03 };
const SITE_ODDS = { posterior_torso: 0.3, anterior_torso: 0.22, lower_extremity: 0.2, upper_extremity: 0.14, head_neck: 0.1, palms_soles: 0.04 };
const LABEL_COLUMNS = ['diagnosis', 'site'] as const;
export const DERMOSCOPY_CONFIG_SPEC: DemoConfigSpec = {
  modality: 'dermoscopy',
  imitates: 'ISIC 2018 task 1 (dermoscopic lesion segmentation)',
  images: 'images/*.jpg',
  masks: 'masks/{stem}_segmentation.png',
  labelColumns: LABEL_COLUMNS,
  foreground: '255',
  inputSize: [128, 128],
  channels: 3,
  normalize: 'imagenet',
};

export interface DermoscopyCase extends DemoCase {
  /** Seed of the picture; the duplicate shares its original's, so the pixels are identical. */
  drawSeed: number;
}

export interface DermoscopyCohort {
  cases: DermoscopyCase[];
  problems: PlantedProblems;
}

export function planDermoscopyCohort(seed: number, scale: number): DermoscopyCohort {
  const rng = new SeededRandom(deriveSeed(seed, 'dermoscopy', 'cohort'));
  const total = scaledCount(120, scale, 24);
  const sizes = patientSizes(rng, total - 1, 2, 4);
  const diagnoses = shuffledLabels(rng, sizes.length, DIAGNOSIS_SHARES);
  // Patient numbers are shuffled so they do not follow the order of the images.
  const numbers = rng.shuffled(Array.from({ length: sizes.length + 1 }, (_, i) => 1000 + 37 * i));
  const cases: DermoscopyCase[] = [];
  sizes.forEach((size, p) => {
    for (let k = 0; k < size; k++) {
      cases.push({
        id: '',
        patientId: `IP_${padded(numbers[p], 7)}`,
        labels: { diagnosis: diagnoses[p], site: rng.weighted(SITE_ODDS) },
        drawSeed: deriveSeed(seed, 'dermoscopy', 'image', p, k),
      });
    }
  });
  // The duplicate: a nevus photo filed again under a new patient (a re-referral nobody matched).
  const original = rng.pick(cases.filter((c) => c.labels.diagnosis === 'nevus'));
  const copy: DermoscopyCase = { ...original, labels: { ...original.labels }, patientId: `IP_${padded(numbers[sizes.length], 7)}` };
  cases.push(copy);
  rng.shuffled(cases.map((_, i) => i)).forEach((slot, i) => (cases[slot].id = `ISIC_${padded(i, 7)}`));
  return {
    cases,
    problems: {
      column: 'diagnosis',
      drift: 'melanoma',
      driftShare: 0.6,
      driftRest: 'train',
      rare: 'vascular',
      duplicate: { original: original.id, copy: copy.id },
    },
  };
}

export async function generateDermoscopy(root: string, context: GenerateContext): Promise<DemoModalitySummary> {
  const folder = join(root, 'dermoscopy');
  const { cases, problems } = planDermoscopyCohort(context.seed, context.scale);
  const plan = planSplits(new SeededRandom(deriveSeed(context.seed, 'dermoscopy', 'splits')), cases, problems);
  let emptyMasks = 0;
  let done = 0;
  await forEachLimited(
    cases,
    4,
    async (c) => {
      const image = drawDermoscopyImage(c.drawSeed, c.labels.diagnosis);
      await writeRgbJpeg(join(folder, 'images', `${c.id}.jpg`), image.rgb, image.width, image.height, 92);
      await writeMaskPng(join(folder, 'masks', `${c.id}_segmentation.png`), image.mask, image.width, image.height);
      if (!image.mask.includes(1)) emptyMasks++;
      context.onProgress?.(++done, cases.length);
    },
    context.signal,
  );
  await writeCohortFiles(folder, cases, LABEL_COLUMNS, plan);
  const configs = await writeDemoConfigs(folder, DERMOSCOPY_CONFIG_SPEC);
  const trainedModel = await placeTrainedModel(folder, context.trainedModel, DERMOSCOPY_CONFIG_SPEC, context.seed, cases);
  return {
    ...summarizeModality('dermoscopy', folder, cases, LABEL_COLUMNS, plan, problems, emptyMasks, configs),
    duplicate: [problems.duplicate!.original, problems.duplicate!.copy],
    ...(trainedModel ? { trainedModel } : {}),
  };
}
