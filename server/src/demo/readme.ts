/** The demo workspace's README: what is synthetic, and which problems are planted where. */
import type { DemoModalitySummary } from './modality';

function splitLine(counts: DemoModalitySummary['splits']): string {
  return `train ${counts.train} / val ${counts.val} / test ${counts.test}`;
}

function plantedProblems(m: DemoModalitySummary): string[] {
  return [
    `patient leak: patient \`${m.leakPatient}\` has images in both train and test`,
    `label drift: \`${m.drift.column}\` = \`${m.drift.value}\` is heavily over-represented in test compared with train`,
    `rare label: \`${m.rare.column}\` = \`${m.rare.value}\` appears in test but never in train`,
    ...(m.duplicate ? [`exact duplicate: \`${m.duplicate[0]}\` (train) and \`${m.duplicate[1]}\` (test) have the same pixels but different patients`] : []),
  ];
}

function modalitySection(m: DemoModalitySummary, layout: string): string[] {
  const labels = Object.entries(m.labelCounts)
    .map(([column, counts]) => `\`${column}\` (${Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([v, n]) => `${v} ${n}`).join(', ')})`)
    .join('; ');
  return [
    `## \`${m.modality}/\``,
    '',
    `${layout} ${m.images} ${m.modality === 'ct' ? 'scans' : 'images'} of ${m.patients} patients${m.emptyMasks ? `, ${m.emptyMasks} of them with an empty mask` : ''}.`,
    `Clinical labels in \`clinical.csv\`: ${labels}.`,
    '',
    `- \`splits.csv\` (${splitLine(m.splits)}), used by \`${m.modality}.medseg.yaml\`, has planted problems:`,
    ...plantedProblems(m).map((line, i, all) => `  - ${line}${i === all.length - 1 ? '.' : ';'}`),
    `- \`splits_clean.csv\` (${splitLine(m.cleanSplits)}), used by \`${m.modality}-clean.medseg.yaml\`: patients never cross splits and`,
    `  every \`${m.drift.column}\` value has about the same share in each split (values too rare to spread stay in train).`,
    '',
  ];
}

const LAYOUTS: Record<DemoModalitySummary['modality'], string> = {
  dermoscopy: 'ISIC 2018 task 1 layout (`images/ISIC_0000000.jpg`, `masks/ISIC_0000000_segmentation.png`, 0/255 masks):',
  histology: 'Prostate-biopsy-like patches (`images/patch_0001.png`, `masks/patch_0001_mask.png`, tumour glands = 255):',
  ct: 'KiTS19 layout (`case_00000/imaging.nii.gz` in HU, `case_00000/segmentation.nii.gz` with 1 = kidney, 2 = tumour; the leaked patient has a baseline and a follow-up scan):',
};

export function demoReadme(seed: number, modalities: readonly DemoModalitySummary[]): string {
  return [
    '# MedSeg Eval demo workspace',
    '',
    '**Everything here is synthetic.** The images, masks, clinical labels and splits were generated',
    `by MedSeg Eval (seed ${seed}) from simple shapes and noise; no real patient data were used and the`,
    'same seed gives byte-identical files. The ONNX models under `<modality>/models/` are synthetic',
    'stand-ins as well: their names say how each one errs.',
    '',
    '| model | family | behaviour |',
    '| --- | --- | --- |',
    '| `tii-sharp` | TII | close to the reference |',
    '| `tii-over` | TII | over-segments |',
    '| `lmi-under` | LMI | under-segments |',
    '| `lmi-smallmiss` | LMI | misses small lesions |',
    '',
    'Each modality folder has two configs: `<modality>.medseg.yaml` uses the split with planted',
    'problems, which `medseg validate` should report; `<modality>-clean.medseg.yaml` uses a clean split.',
    'With `min_per_label: 5`, labels rarer than five images in a split are reported in both.',
    '',
    ...modalities.flatMap((m) => modalitySection(m, LAYOUTS[m.modality])),
  ].join('\n');
}
