/**
 * The CT demo's multi-label models for `ct-regions.medseg.yaml` (KiTS regions: kidney = labels
 * 1 and 2, tumour = label 2), hand-designed like `./models` and written as real ONNX files:
 *
 * - `kits-softmax`: three logits per pixel (background, kidney, tumour); the engine applies the
 *   softmax (nnU-Net's label output). Kidney close to the reference; tumour under-segmented (its
 *   evidence eroded by a pixel), and in arterial scans the poorly enhancing medulla inside the
 *   bright cortex looks like tumour to it.
 * - `kits-regions`: two sigmoid logits, kidney-with-tumour and tumour (nnU-Net's region-based
 *   training). The same kidney; the tumour a pixel wide, and over-called: arterial medulla and
 *   band-valued tissue next to the kidney (venous liver) become tumour.
 *
 * Both read the HU of ./ctVolume: the cortex enhances more than the liver ever does (≥ 125 HU
 * with contrast against ≤ 105), and tumours less than the cortex around them (venous 90 against
 * 150, arterial 115 against 185, delayed 70 against 125). Non-contrast kidney and tumour (≈ 30 HU)
 * are invisible to them, as to the binary models.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphBuilder } from '../core/onnx';
import { CT_HEIGHT, CT_WIDTH } from './ctVolume';
import { average, closing, dilate, erode, opening } from './graphOps';

export const CT_REGION_MODELS = [
  {
    name: 'kits-softmax',
    channels: 3,
    profile: 'softmax over background, kidney, tumour: kidney close to the reference, tumour under-segmented, arterial medulla taken for tumour',
  },
  {
    name: 'kits-regions',
    channels: 2,
    profile: 'sigmoid per region (kidney with tumour, tumour): kidney close to the reference, tumour a pixel wide and over-called',
  },
] as const;
export type CtRegionModelName = (typeof CT_REGION_MODELS)[number]['name'];

/** y = w·x + b per pixel (a 1×1 conv on one channel). */
const affine = (g: GraphBuilder, x: string, w: number, b: number) => g.conv(x, { weights: [w], shape: [1, 1, 1, 1], bias: [b] });

/**
 * A 3×3 mean of integer HU is a multiple of 1/9: thresholds half a step off that grid keep every
 * logit clear of 0 and of its rivals (a near-tie of two labels is decided by rounding, in the
 * engine's 16-bit probabilities as in any other tool's, not by the model).
 */
const offGrid = (hu: number) => hu + 1 / 18;

/**
 * Kidney evidence in [−1, 1] that, unlike `ctKidneyLogits`, leaves out the liver: the cortex is
 * brighter than any liver (≥ 125 HU with contrast against ≤ 105), and a closing fills what the
 * cortex surrounds (a dark arterial medulla, a central tumour). Bone and its rims are excluded;
 * the last dilation gives back the border pixels that averaging with perirenal fat darkened.
 */
function kidneyEvidence(g: GraphBuilder, f: string): string {
  const bright = g.clip(affine(g, f, 1 / 8, -offGrid(116) / 8), -1, 1);
  const bone = g.relu(affine(g, f, 1 / 20, -300 / 20));
  let e = opening(g, g.sub(bright, bone), 3); // a bone rim averaged with soft tissue is bright but thin
  e = closing(g, e, 11);
  return dilate(g, e, 3);
}

/**
 * Tumour evidence in [−1, 1]: the 72–128 HU band (below the cortex, ≥ 125, and the venous or
 * delayed medulla, ≥ 145; the arterial medulla, 85, is in it), without its thin rims (where
 * cortex meets fat, averaging passes through the band), near the kidney.
 */
function tumourEvidence(g: GraphBuilder, f: string, kidney: string): string {
  const above = g.clip(affine(g, f, 1 / 8, -offGrid(72) / 8), -1, 1);
  const below = g.clip(affine(g, f, -1 / 8, offGrid(128) / 8), -1, 1);
  const band = opening(g, g.node('Min', [above, below]), 3);
  return g.node('Min', [band, dilate(g, kidney, 7)]);
}

/** The ONNX bytes of one region model: input [N, 1, 96, 96] in HU, logits [N, C, 96, 96]. */
export function buildCtRegionModel(name: CtRegionModelName): Uint8Array {
  const spec = CT_REGION_MODELS.find((m) => m.name === name)!;
  const g = new GraphBuilder(`ct-${name}`);
  const x = g.input('image', ['N', 1, CT_HEIGHT, CT_WIDTH]);
  const f = average(g, x, 3); // noise 12 HU → 4 HU
  const kidney = kidneyEvidence(g, f);
  const tumour = tumourEvidence(g, f, kidney);
  let channels: string[];
  if (name === 'kits-softmax') {
    // Logits 0, ±6, −5.9…10.1: tumour wins where its eroded evidence is positive, kidney where the
    // kidney evidence is and the tumour's is not, background elsewhere.
    const k = g.mul(kidney, 6);
    channels = [g.mul(k, 0), k, g.add(g.mul(erode(g, tumour, 3), 8), 2.1)];
  } else {
    const whole = g.node('Max', [kidney, tumour]);
    channels = [g.mul(whole, 6), g.mul(dilate(g, tumour, 3), 6)];
  }
  const out = g.node('Identity', [g.concat(channels, 1)], 'logits');
  g.output(out, ['N', spec.channels, CT_HEIGHT, CT_WIDTH]);
  return g.build({ producerName: 'medseg-eval demo', docString: `ct demo region model ${name}: ${spec.profile}` });
}

/** Writes the region models into `<ctDir>/models/`; returns their paths. */
export async function writeCtRegionModels(ctDir: string): Promise<string[]> {
  const dir = join(ctDir, 'models');
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const m of CT_REGION_MODELS) {
    const path = join(dir, `${m.name}.onnx`);
    await writeFile(path, buildCtRegionModel(m.name));
    paths.push(path);
  }
  return paths;
}
