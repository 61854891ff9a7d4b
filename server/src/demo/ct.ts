/**
 * The CT data set in the KiTS19 layout: `case_00000/imaging.nii.gz` (int16 HU) with
 * `case_00000/segmentation.nii.gz` (uint8: 1 kidney, 2 tumour), one scan per patient except one
 * patient scanned twice (baseline and follow-up), which is the patient the planted split leaks.
 * Beside each case, `prediction_nnunet-like.nii.gz`: the label-map predictions that
 * `ct-regions.medseg.yaml` scores per region (./ctRegions).
 */
import { join } from 'node:path';
import { writeNifti, type NiftiHeaderInfo } from '../core/io';
import { padded, scaledCount, shuffledLabels, type DemoCase } from './cohort';
import { writeCohortFiles } from './cohortFiles';
import { forEachLimited } from './concurrency';
import { writeDemoConfigs } from './configs';
import { NNUNET_LIKE_FILE, nnunetLikePrediction, writeCtRegionsConfig } from './ctRegions';
import { CT_DEPTH, CT_HEIGHT, CT_SPACING, CT_WIDTH, drawCtVolume, type ContrastPhase } from './ctVolume';
import { summarizeModality, type DemoModalitySummary, type GenerateContext } from './modality';
import { deriveSeed, SeededRandom } from './random';
import { planSplits, type PlantedProblems } from './splitPlan';

export const PHASE_SHARES: Record<ContrastPhase, number> = { venous: 0.55, arterial: 0.25, noncontrast: 0.15, delayed: 0.05 };
const LABEL_COLUMNS = ['tumour', 'sex', 'contrast_phase'] as const;

export interface CtCaseInfo extends DemoCase {
  /** Case folder, `case_00000`. */
  folder: string;
  drawSeed: number;
}

export function planCtCohort(seed: number, scale: number): { cases: CtCaseInfo[]; problems: PlantedProblems } {
  const rng = new SeededRandom(deriveSeed(seed, 'ct', 'cohort'));
  const total = scaledCount(24, scale, 8);
  const patients = total - 1;
  const tumour = shuffledLabels(rng, patients, { yes: 0.5, no: 0.5 });
  const sex = shuffledLabels(rng, patients, { M: 0.6, F: 0.4 });
  const phase = shuffledLabels(rng, patients, PHASE_SHARES);
  // Patient 0 is scanned twice: a venous baseline and an arterial follow-up (taken at the site
  // whose scans fill the test split), the scan the planted split leaks.
  const venous = phase.indexOf('venous');
  [phase[0], phase[venous]] = [phase[venous], phase[0]];
  const numbers = rng.shuffled(Array.from({ length: patients }, (_, i) => 1 + 2 * i));
  const cases: CtCaseInfo[] = [];
  for (let p = 0; p < patients; p++) {
    for (let scan = 0; scan < (p === 0 ? 2 : 1); scan++) {
      cases.push({
        id: '',
        folder: '',
        patientId: `KP${padded(numbers[p], 3)}`,
        labels: { tumour: tumour[p], sex: sex[p], contrast_phase: scan === 0 ? phase[p] : 'arterial' },
        drawSeed: deriveSeed(seed, 'ct', 'volume', p, scan),
      });
    }
  }
  rng.shuffled(cases.map((_, i) => i)).forEach((slot, i) => {
    cases[slot].folder = `case_${padded(i, 5)}`;
    // Every volume is `imaging.nii.gz`, so ids are paths (CONFIG.md, "Image ids").
    cases[slot].id = `case_${padded(i, 5)}/imaging`;
  });
  const followUp = cases[1];
  return { cases, problems: { column: 'contrast_phase', drift: 'arterial', driftShare: 1, driftRest: 'val', rare: 'delayed', leakCase: followUp.id } };
}

/** A hand-built reference header: what writeNifti needs to write our sform (origin at the volume centre). */
function ctHeader(datatype: number, bitpix: number): NiftiHeaderInfo {
  const [sx, sy, sz] = CT_SPACING;
  const affine = [sx, 0, 0, (-sx * (CT_WIDTH - 1)) / 2, 0, sy, 0, (-sy * (CT_HEIGHT - 1)) / 2, 0, 0, sz, (-sz * (CT_DEPTH - 1)) / 2, 0, 0, 0, 1];
  return {
    version: 1,
    dims: [3, CT_WIDTH, CT_HEIGHT, CT_DEPTH, 1, 1, 1, 1],
    pixdim: [1, sx, sy, sz, 0, 0, 0, 0],
    datatype,
    bitpix,
    voxOffset: 352,
    sclSlope: 1,
    sclInter: 0,
    qformCode: 0,
    sformCode: 1,
    affine,
    littleEndian: true,
    raw: new Uint8Array(0),
  };
}

export async function generateCt(root: string, context: GenerateContext): Promise<DemoModalitySummary> {
  const folder = join(root, 'ct');
  const { cases, problems } = planCtCohort(context.seed, context.scale);
  const plan = planSplits(new SeededRandom(deriveSeed(context.seed, 'ct', 'splits')), cases, problems);
  const geometry = { width: CT_WIDTH, height: CT_HEIGHT, depth: CT_DEPTH, spacing: CT_SPACING };
  let done = 0;
  await forEachLimited(
    cases,
    4,
    async (c) => {
      const volume = drawCtVolume(c.drawSeed, c.labels.contrast_phase as ContrastPhase, c.labels.tumour === 'yes');
      await writeNifti(join(folder, c.folder, 'imaging.nii.gz'), { ...geometry, data: volume.image }, { like: ctHeader(4, 16) });
      await writeNifti(join(folder, c.folder, 'segmentation.nii.gz'), { ...geometry, data: volume.segmentation }, { like: ctHeader(2, 8) });
      const prediction = nnunetLikePrediction(volume.segmentation, deriveSeed(c.drawSeed, 'nnunet-like'));
      await writeNifti(join(folder, c.folder, NNUNET_LIKE_FILE), { ...geometry, data: prediction }, { like: ctHeader(2, 8) });
      context.onProgress?.(++done, cases.length);
    },
    context.signal,
  );
  await writeCohortFiles(folder, cases, LABEL_COLUMNS, plan);
  const configs = await writeDemoConfigs(folder, {
    modality: 'ct',
    imitates: 'KiTS19 (kidney and kidney tumour segmentation in CT)',
    images: 'case_*/imaging.nii.gz',
    masks: '{dir}/segmentation.nii.gz',
    labelColumns: LABEL_COLUMNS,
    foreground: '[1, 2]',
    volumes: '3d',
    inputSize: [96, 96],
    channels: 1,
    normalize: '{ mean: [0], std: [1] }',
  });
  await writeCtRegionsConfig(folder, LABEL_COLUMNS);
  return summarizeModality('ct', folder, cases, LABEL_COLUMNS, plan, problems, 0, configs);
}
