/** The demo workspace's README: what is synthetic, and which problems are planted where. */
import { CT_REGIONS_CONFIG, NNUNET_LIKE_FILE } from './ctRegions';
import type { DemoModalitySummary } from './modality';
import { TRAINED_DECODER_LAYER, TRAINED_MODEL, TRAINED_SPLIT_FILE } from './trainedModel';

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
    ...trainedModelLines(m),
    ...(m.modality === 'ct' ? CT_REGIONS_LINES : []),
    '',
  ];
}

/** The per-region config of the CT set (./ctRegions), which `npm run demo` evaluates. */
const CT_REGIONS_LINES = [
  `- \`${CT_REGIONS_CONFIG}\` scores the scans per region as KiTS does: \`kidney\` (labels 1 and 2, kidney and masses) and`,
  '  `tumour` (label 2), each as its own binary task (`results/ct-demo-regions/`: `per_image.csv` with a `region`',
  '  column, `summary.json` by region, each region\'s complete results in `regions/<name>/`). Its models show each',
  '  way a model gives regions (the ONNX ones see no kidney or tumour in non-contrast scans: about 30 HU, like the',
  '  tissue around them):',
  '  - `kits-softmax` (`models/kits-softmax.onnx`): a softmax over background, kidney and tumour; a region is where',
  '    the most probable label is one of its labels. Kidney close to the reference; tumour under-segmented, and the',
  '    poorly enhancing medulla of arterial scans taken for tumour;',
  '  - `kits-regions` (`models/kits-regions.onnx`): one sigmoid channel per region (`region_channels`). The same',
  '    kidney; the tumour a pixel wide and over-called;',
  `  - \`nnunet-like\`: label maps another tool wrote (\`case_*/${NNUNET_LIKE_FILE}\`, \`prediction_values: labels\`),`,
  '    close to the reference: the kidney border jitters by a voxel, the tumour lies a voxel off;',
  '  - `tii-sharp`: the binary model of `ct.medseg.yaml`, scored in its one region (`region: kidney`); its 65 HU',
  '    window takes venous-phase liver for kidney.',
];

function trainedModelLines(m: DemoModalitySummary): string[] {
  const t = m.trainedModel;
  if (!t) return [];
  if (!t.included) return [`- The trained model \`${TRAINED_MODEL.name}\` is not here: ${t.reason}`];
  return [
    `- \`${m.modality}-trained.medseg.yaml\` adds \`${TRAINED_MODEL.name}\` (\`models/${TRAINED_MODEL.name}.onnx\`), a real timm-ResNet U-Net that`,
    '  scripts/train_demo_unet.py trained on these synthetic images, next to the four synthetic models. Its split',
    `  \`${TRAINED_SPLIT_FILE}\` (${splitLine(t.splits)}) puts every image the model learned from or was selected on,`,
    '  with its patient and its duplicate, in train or val: the test images are new to it.',
    ...(t.decoderConfig
      ? [
          `- \`${m.modality}-trained-decoder.medseg.yaml\` lists \`${TRAINED_MODEL.name}\` alone and names its Grad-CAM layer: ${TRAINED_DECODER_LAYER.note}.`,
          "  At layer auto (the encoder's last stage, 4×4) this U-Net's Grad-CAM puts little heat on the lesion: its skip",
          '  connections, not its bottleneck, carry where the lesion is. Compare the two with `medseg explain`.',
        ]
      : []),
  ];
}

const LAYOUTS: Record<DemoModalitySummary['modality'], string> = {
  dermoscopy: 'ISIC 2018 task 1 layout (`images/ISIC_0000000.jpg`, `masks/ISIC_0000000_segmentation.png`, 0/255 masks):',
  histology: 'Prostate-biopsy-like patches (`images/patch_0001.png`, `masks/patch_0001_mask.png`, tumour glands = 255):',
  ct: 'KiTS19 layout (`case_00000/imaging.nii.gz` in HU, `case_00000/segmentation.nii.gz` with 1 = kidney, 2 = tumour; the leaked patient has a baseline and a follow-up scan):',
};

export function demoReadme(seed: number, modalities: readonly DemoModalitySummary[]): string {
  const trained = modalities.some((m) => m.trainedModel?.included);
  return [
    '# MedSeg Eval demo workspace',
    '',
    '**Everything here is synthetic.** The images, masks, clinical labels and splits were generated',
    `by MedSeg Eval (seed ${seed}) from simple shapes and noise; no real patient data were used and the`,
    'same seed gives byte-identical files. The ONNX models under `<modality>/models/` are synthetic',
    `stand-ins as well: their names say how each one errs${trained ? `; the one exception is \`dermoscopy/models/${TRAINED_MODEL.name}.onnx\`, a network trained on the synthetic dermoscopy images` : ''}.`,
    '',
    '| model | family | behaviour |',
    '| --- | --- | --- |',
    '| `tii-sharp` | TII | close to the reference |',
    '| `tii-over` | TII | over-segments |',
    '| `lmi-under` | LMI | under-segments |',
    '| `lmi-smallmiss` | LMI | misses small lesions |',
    ...(trained ? [`| \`${TRAINED_MODEL.name}\` (dermoscopy) | ${TRAINED_MODEL.family} | trained on the synthetic training images |`] : []),
    '',
    'Each modality folder has two configs: `<modality>.medseg.yaml` uses the split with planted',
    'problems, which `medseg validate` should report; `<modality>-clean.medseg.yaml` uses a clean split.',
    `The CT folder has a third, \`${CT_REGIONS_CONFIG}\`, which scores KiTS's kidney and tumour regions separately.`,
    'With `min_per_label: 5`, labels rarer than five images in a split are reported in both.',
    '',
    ...modalities.flatMap((m) => modalitySection(m, LAYOUTS[m.modality])),
  ].join('\n');
}
