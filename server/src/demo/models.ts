/**
 * The demo's segmentation models: small hand-designed conv nets, written as real ONNX files that
 * go through exactly the code path of an exported model (file → session → pre/postprocessing).
 * They are not learned, but each has a deliberate error profile, so the evaluation has something
 * to find: one good model, one that over-segments, one that under-segments, one that misses
 * small lesions (the TII/LMI pairs that fusion and the statistics compare).
 *
 * Every network: a colour/intensity feature (1×1 convs), denoising and cleanup (averaging convs,
 * morphology as MaxPool), a soft threshold (scaled Sub → logits), then the model's own
 * morphology on the logits (sigmoid is monotone, so MaxPool on logits is MaxPool on the mask).
 * Output: [N, 1, H, W] logits; the engine applies the sigmoid.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphBuilder } from '../core/onnx';
import { pushAll } from '../core/util/arrays';
import { writeCtRegionModels } from './ctRegionModels';
import { average, closing, dilate, erode, opening, softThreshold } from './graphOps';

export type DemoModality = 'dermoscopy' | 'histology' | 'ct';

export const DEMO_MODEL_NAMES = ['tii-sharp', 'tii-over', 'lmi-under', 'lmi-smallmiss'] as const;
export type DemoModelName = (typeof DEMO_MODEL_NAMES)[number];

export interface DemoModelSpec {
  name: DemoModelName;
  family: 'TII' | 'LMI';
  /** The error profile, as a reader of the results should see it. */
  profile: string;
}

export const DEMO_MODELS: readonly DemoModelSpec[] = [
  { name: 'tii-sharp', family: 'TII', profile: 'good: borders where the reference puts them, hairs and noise ignored' },
  { name: 'tii-over', family: 'TII', profile: 'over-segments: borders pushed a few pixels out (dilation), high sensitivity, low precision' },
  { name: 'lmi-under', family: 'LMI', profile: 'under-segments: borders pulled a few pixels in (erosion), high precision, low sensitivity' },
  { name: 'lmi-smallmiss', family: 'LMI', profile: 'misses small lesions: an opening with a large kernel deletes anything narrower than it; large lesions are fine' },
];

interface ModalityDesign {
  size: [number, number];
  channels: 1 | 3;
  /** Border shift of tii-over / lmi-under, as a MaxPool kernel (shift = (k − 1) / 2 pixels). */
  shiftKernel: number;
  /** lmi-under's erosion when it must be gentler than the dilation (small structures vanish otherwise). */
  underKernel?: number;
  /** Opening kernel of lmi-smallmiss: blobs narrower than this vanish. */
  smallMissKernel: number;
  /** Input → logits of the good model. */
  logits(g: GraphBuilder, x: string): string;
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/**
 * A 1×1 conv computing features Σ_c w[o][c]·rgb01_c + bias[o] on an ImageNet-normalised input:
 * it undoes the normalisation (rgb01 = x·std + mean) inside its weights and bias.
 */
function rgbFeatures(g: GraphBuilder, x: string, weights: number[][], bias: number[]): string {
  const w = weights.flatMap((row) => row.map((v, c) => v * IMAGENET_STD[c]));
  const b = weights.map((row, o) => bias[o] + row.reduce((s, v, c) => s + v * IMAGENET_MEAN[c], 0));
  return g.conv(x, { weights: w, shape: [weights.length, 3, 1, 1], bias: b });
}


const designs: Record<DemoModality, ModalityDesign> = {
  // Skin ≈ (200,160,140), lesions darker ≈ (110,70,50), thin dark hairs.
  dermoscopy: {
    size: [128, 128],
    channels: 3,
    shiftKernel: 7,
    smallMissKernel: 11,
    logits(g, x) {
      // Darkness 1 − mean(RGB): skin ≈ 0.41 (0.53 in vignetted corners), lesion ≈ 0.70, hair
      // ≈ 0.9 but thin. The threshold sits between the darkest skin and the palest lesion.
      let d = rgbFeatures(g, x, [[-1 / 3, -1 / 3, -1 / 3]], [1]);
      d = average(g, d, 3);
      d = opening(g, d, 5); // hairs are narrower than 5 px: gone
      d = average(g, d, 3);
      return softThreshold(g, d, 0.56, 30);
    },
  },
  // Pink stroma ≈ (230,170,200); glands: pale lumen ≈ (245,235,245) in a ring of purple nuclei ≈ (90,50,120).
  histology: {
    size: [128, 128],
    channels: 3,
    shiftKernel: 5,
    underKernel: 3, // glands are a few pixels across: a 2-px erosion deletes most of them
    smallMissKernel: 7,
    logits(g, x) {
      // Two evidences of gland, each ≈ 1 where present and 0 on stroma: lumen (green above
      // stroma's 0.67) and nuclei (red far below stroma's 0.90).
      const evidence = g.relu(rgbFeatures(g, x, [[0, 1, 0], [-1, 0, 0]], [-0.8, 0.6]));
      let e = g.conv(evidence, { weights: [8, 4], shape: [1, 2, 1, 1] });
      e = closing(g, e, 5); // bridge the stroma between nuclei of one ring
      e = average(g, e, 5);
      return softThreshold(g, e, 0.5, 12);
    },
  },
  // Slices of HU: air −1000, fat −100, soft tissue 40, kidney 150, tumour 90, bone 700; target = kidney ∪ tumour.
  ct: {
    size: [96, 96],
    channels: 1,
    shiftKernel: 5,
    smallMissKernel: 9,
    logits(g, x) {
      // Window: +1 above 65 HU (between tissue and tumour), −1 below; bone minus a penalty.
      const window = g.clip(g.conv(x, { weights: [1 / 25], shape: [1, 1, 1, 1], bias: [-65 / 25] }), -1, 1);
      const bone = g.relu(g.conv(x, { weights: [1 / 50], shape: [1, 1, 1, 1], bias: [-400 / 50] }));
      let f = g.conv(g.concat([window, bone], 1), { weights: [1, -1], shape: [1, 2, 1, 1] });
      f = opening(g, f, 3); // partial-volume rims around bone pass the window: too thin to survive
      f = average(g, f, 3);
      return softThreshold(g, f, 0, 6);
    },
  },
};

/** The ONNX bytes of one demo model. */
export function buildDemoModel(modality: DemoModality, name: DemoModelName): Uint8Array {
  const design = designs[modality];
  const [h, w] = design.size;
  const g = new GraphBuilder(`${modality}-${name}`);
  const x = g.input('image', ['N', design.channels, h, w]);
  let logits = design.logits(g, x);
  switch (name) {
    case 'tii-sharp':
      break;
    case 'tii-over':
      logits = dilate(g, logits, design.shiftKernel);
      break;
    case 'lmi-under':
      logits = erode(g, logits, design.underKernel ?? design.shiftKernel);
      break;
    case 'lmi-smallmiss':
      logits = opening(g, logits, design.smallMissKernel);
      break;
  }
  const out = g.node('Identity', [logits], 'logits');
  g.output(out, ['N', 1, h, w]);
  const spec = DEMO_MODELS.find((m) => m.name === name)!;
  return g.build({ producerName: 'medseg-eval demo', docString: `${modality} demo model ${name} (${spec.family}): ${spec.profile}` });
}

/** The `models:` entries (YAML shape, paths relative to the modality folder) for a demo config. */
export function demoModelConfigs(modality: DemoModality): Record<string, unknown>[] {
  const design = designs[modality];
  return DEMO_MODELS.map((m) => ({
    name: m.name,
    path: `models/${m.name}.onnx`,
    family: m.family,
    input: {
      size: design.size,
      layout: 'NCHW',
      channels: design.channels,
      // CT takes raw HU: explicit mean/std act on raw values.
      normalize: modality === 'ct' ? { mean: [0], std: [1] } : 'imagenet',
    },
    output: { activation: 'sigmoid', channel: 0, threshold: 0.5 },
  }));
}

/**
 * Writes the four demo models into `<modalityDir>/models/`, and for CT the region models of
 * `ct-regions.medseg.yaml` after them (./ctRegionModels); returns their paths.
 */
export async function writeDemoModels(modalityDir: string, modality: DemoModality): Promise<string[]> {
  const dir = join(modalityDir, 'models');
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const m of DEMO_MODELS) {
    const path = join(dir, `${m.name}.onnx`);
    await writeFile(path, buildDemoModel(modality, m.name));
    paths.push(path);
  }
  if (modality === 'ct') pushAll(paths, await writeCtRegionModels(modalityDir));
  return paths;
}
