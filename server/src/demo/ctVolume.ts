/**
 * One synthetic abdominal CT volume in Hounsfield units, KiTS19-like but small: air around a body
 * ellipse (fat ring, soft tissue), liver, spine, two kidneys (label 1) and, in tumour cases, a
 * spherical tumour inside one kidney (label 2). Contrast phase changes how the organs enhance, so
 * the phase label has a visible effect as it does in real scans.
 */
import { SeededRandom } from './random';

export const CT_WIDTH = 96;
export const CT_HEIGHT = 96;
export const CT_DEPTH = 12;
export const CT_SPACING: [number, number, number] = [0.8, 0.8, 3.0];

export type ContrastPhase = 'venous' | 'arterial' | 'noncontrast' | 'delayed';

/** Mean HU per tissue and phase: kidney cortex, kidney medulla, tumour, liver. */
const ENHANCEMENT: Record<ContrastPhase, { cortex: number; medulla: number; tumour: number; liver: number }> = {
  venous: { cortex: 150, medulla: 145, tumour: 90, liver: 105 },
  arterial: { cortex: 185, medulla: 85, tumour: 115, liver: 70 },
  noncontrast: { cortex: 35, medulla: 32, tumour: 28, liver: 58 },
  delayed: { cortex: 125, medulla: 165, tumour: 70, liver: 85 },
};
const AIR = -1000;
const FAT = -100;
const SOFT_TISSUE = 40;
const BONE = 700;

interface Ellipsoid {
  cx: number;
  cy: number;
  cz: number;
  rx: number;
  ry: number;
  rz: number;
}

/** Normalised squared radius: below 1 inside. */
function level(e: Ellipsoid, x: number, y: number, z: number): number {
  return ((x - e.cx) / e.rx) ** 2 + ((y - e.cy) / e.ry) ** 2 + ((z - e.cz) / e.rz) ** 2;
}

export interface CtCase {
  image: Int16Array;
  segmentation: Uint8Array;
}

function placeTumour(rng: SeededRandom, kidney: Ellipsoid): Ellipsoid {
  const radiusMm = rng.uniform(2.5, 4.5);
  const theta = rng.uniform(0, 2 * Math.PI);
  const offset = rng.uniform(0.15, 0.45);
  return {
    cx: kidney.cx + offset * kidney.rx * Math.cos(theta),
    cy: kidney.cy + offset * kidney.ry * Math.sin(theta),
    cz: kidney.cz + rng.uniform(-0.3, 0.3) * kidney.rz,
    rx: radiusMm / CT_SPACING[0],
    ry: radiusMm / CT_SPACING[1],
    rz: radiusMm / CT_SPACING[2],
  };
}

export function drawCtVolume(seed: number, phase: ContrastPhase, withTumour: boolean): CtCase {
  const rng = new SeededRandom(seed);
  const hu = ENHANCEMENT[phase];
  const cx = CT_WIDTH / 2 + rng.normal(0, 1.5);
  const cy = CT_HEIGHT / 2 + 2 + rng.normal(0, 1.5);
  const ax = rng.uniform(38, 44);
  const ay = rng.uniform(28, 33);
  const fat = rng.uniform(3, 6);
  const midZ = (CT_DEPTH - 1) / 2;
  const liver: Ellipsoid = { cx: cx - 15, cy: cy - 9, cz: rng.uniform(1, 3), rx: rng.uniform(14, 18), ry: rng.uniform(10, 13), rz: rng.uniform(5, 7) };
  const spine = { cx, cy: cy + 0.6 * ay, r: rng.uniform(5, 6.5) };
  const kidneys: Ellipsoid[] = [-1, 1].map((side) => ({
    cx: cx + side * rng.uniform(17, 21),
    cy: cy + 0.35 * ay + rng.uniform(-2, 2),
    cz: midZ + rng.uniform(-1, 1),
    rx: rng.uniform(6, 8),
    ry: rng.uniform(8, 10.5),
    rz: rng.uniform(3.2, 4.5),
  }));
  const tumourKidney = rng.int(0, 1);
  const tumour = withTumour ? placeTumour(rng, kidneys[tumourKidney]) : undefined;

  const image = new Int16Array(CT_WIDTH * CT_HEIGHT * CT_DEPTH);
  const segmentation = new Uint8Array(image.length);
  for (let z = 0; z < CT_DEPTH; z++) {
    // The abdomen narrows a little towards both ends of the scan.
    const taper = 1 - 0.04 * ((z - midZ) / midZ) ** 2;
    for (let y = 0; y < CT_HEIGHT; y++) {
      for (let x = 0; x < CT_WIDTH; x++) {
        const i = (z * CT_HEIGHT + y) * CT_WIDTH + x;
        const body = ((x - cx) / (ax * taper)) ** 2 + ((y - cy) / (ay * taper)) ** 2;
        const inner = ((x - cx) / (ax * taper - fat)) ** 2 + ((y - cy) / (ay * taper - fat)) ** 2;
        let value: number;
        let noise = 12;
        if (body > 1) {
          value = AIR;
          noise = 6;
        } else if (inner > 1) {
          value = FAT;
        } else {
          value = SOFT_TISSUE;
          if (level(liver, x, y, z) < 1) value = hu.liver;
          const spineDistance = Math.hypot(x - spine.cx, y - spine.cy);
          if (spineDistance < spine.r) value = spineDistance < spine.r * 0.35 ? 20 : BONE;
          for (const kidney of kidneys) {
            const k = level(kidney, x, y, z);
            // Perirenal fat outlines the kidney even where it does not enhance (non-contrast scans).
            if (k >= 1 && k < 1.7) value = FAT + 30;
            if (k < 1) {
              value = k < 0.3 ? hu.medulla : hu.cortex;
              segmentation[i] = 1;
              if (tumour && kidney === kidneys[tumourKidney] && level(tumour, x, y, z) < 1) {
                value = hu.tumour;
                segmentation[i] = 2;
              }
            }
          }
        }
        image[i] = Math.round(Math.max(-1024, value + rng.normal(0, noise)));
      }
    }
  }
  return { image, segmentation };
}
