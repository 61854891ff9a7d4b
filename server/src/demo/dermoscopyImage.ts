/**
 * One synthetic dermoscopy image: shaded, vignetted skin, one or two pigmented lesions with
 * irregular borders (darker than the skin, textured), and a few hair strands over everything.
 * The mask is the lesion region only; hair is an artefact the models must look through.
 */
import { noiseField } from './noise';
import { SeededRandom } from './random';
import { RgbCanvas, blobInsideDistance, blobReach, edgeAlpha, fillBlobMask, randomBlob, strokeCurve, type BlobShape, type DrawnImage, type Rgb } from './shapes';

export const DERMOSCOPY_SIZE = 128;
const SKIN: Rgb = [200, 160, 140];
const HAIR: Rgb = [45, 32, 28];

interface LesionLook {
  colour: Rgb;
  /** Second colour mixed in by a coarse noise (blue-grey veil, red lacunae, …). */
  blotch: Rgb;
  irregularity: [number, number];
  textureAmplitude: number;
  /** Relative odds of small (5–9 px), medium (10–28) and large (28–45) radii. */
  sizeOdds: { small: number; medium: number; large: number };
}

const LOOKS: Record<string, LesionLook> = {
  nevus: { colour: [118, 76, 54], blotch: [96, 62, 46], irregularity: [0.05, 0.14], textureAmplitude: 10, sizeOdds: { small: 0.25, medium: 0.55, large: 0.2 } },
  melanoma: { colour: [100, 62, 48], blotch: [78, 72, 92], irregularity: [0.18, 0.34], textureAmplitude: 16, sizeOdds: { small: 0.1, medium: 0.4, large: 0.5 } },
  seborrheic_keratosis: { colour: [128, 92, 64], blotch: [100, 74, 52], irregularity: [0.08, 0.2], textureAmplitude: 22, sizeOdds: { small: 0.15, medium: 0.55, large: 0.3 } },
  dermatofibroma: { colour: [138, 94, 78], blotch: [160, 120, 104], irregularity: [0.04, 0.1], textureAmplitude: 8, sizeOdds: { small: 0.5, medium: 0.5, large: 0 } },
  vascular: { colour: [128, 52, 66], blotch: [96, 40, 70], irregularity: [0.05, 0.14], textureAmplitude: 12, sizeOdds: { small: 0.4, medium: 0.5, large: 0.1 } },
};

function lesionRadius(rng: SeededRandom, look: LesionLook): number {
  const size = rng.weighted(look.sizeOdds);
  if (size === 'small') return rng.uniform(5, 9);
  if (size === 'medium') return rng.uniform(10, 28);
  return rng.uniform(28, 45);
}

/** Lesion blobs: usually one near the centre, sometimes a second small one beside it. */
function placeLesions(rng: SeededRandom, look: LesionLook, size: number): BlobShape[] {
  const twoLesions = rng.chance(0.06);
  const radius = twoLesions ? Math.min(24, lesionRadius(rng, look)) : lesionRadius(rng, look);
  const options = { aspect: [0.6, 1] as [number, number], irregularity: rng.uniform(look.irregularity[0], look.irregularity[1]) };
  const drift = Math.max(0, size / 2 - radius * 1.2 - 6);
  const first = randomBlob(rng, size / 2 + rng.uniform(-drift, drift), size / 2 + rng.uniform(-drift, drift), radius, options);
  if (!twoLesions) return [first];
  const second = randomBlob(rng, 0, 0, rng.uniform(5, 12), { aspect: [0.7, 1], irregularity: 0.08 });
  const distance = blobReach(first) + blobReach(second) + 4;
  const margin = blobReach(second) + 2;
  const start = rng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < 12; i++) {
    const angle = start + (i * Math.PI) / 6;
    const cx = first.cx + distance * Math.cos(angle);
    const cy = first.cy + distance * Math.sin(angle);
    if (cx >= margin && cx <= size - margin && cy >= margin && cy <= size - margin) return [first, { ...second, cx, cy }];
  }
  return [first];
}

function drawHair(rng: SeededRandom, size: number): Float32Array {
  const layer = new Float32Array(size * size);
  const strands = rng.weighted({ '0': 0.4, '1': 0.2, '2': 0.18, '3': 0.12, '4': 0.1 });
  const edgePoint = (): [number, number] => {
    const t = rng.uniform(0, size);
    return rng.pick<[number, number]>([[t, -2], [t, size + 2], [-2, t], [size + 2, t]]);
  };
  for (let s = 0; s < Number(strands); s++) {
    const start = edgePoint();
    const end = rng.chance(0.5) ? edgePoint() : ([rng.uniform(0, size), rng.uniform(0, size)] as [number, number]);
    const bend: [number, number] = [rng.uniform(0, size), rng.uniform(0, size)];
    strokeCurve(layer, size, size, [start, bend, end], rng.uniform(0.45, 0.85), rng.uniform(0.7, 0.95));
  }
  return layer;
}

export function drawDermoscopyImage(seed: number, diagnosis: string): DrawnImage {
  const size = DERMOSCOPY_SIZE;
  const rng = new SeededRandom(seed);
  const look = LOOKS[diagnosis] ?? LOOKS.nevus;
  const canvas = new RgbCanvas(size, size);
  const skin = SKIN.map((c) => c + rng.normal(0, 7)) as Rgb;
  const shade = noiseField(rng, size, size, 48, 2);
  const fine = noiseField(rng, size, size, 5, 2);
  const texture = noiseField(rng, size, size, 7, 3);
  const blotches = noiseField(rng, size, size, 18, 2);
  const gx = rng.uniform(-0.08, 0.08);
  const gy = rng.uniform(-0.08, 0.08);
  const vignette = rng.uniform(0.2, 0.45);
  const lesions = placeLesions(rng, look, size);
  const centre = size / 2;
  const light = new Float32Array(size * size);

  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const r = Math.hypot(x + 0.5 - centre, y + 0.5 - centre) / (centre * Math.SQRT2);
      light[i] = (1 + 0.07 * shade[i] + (gx * (x - centre) + gy * (y - centre)) / centre) * (1 - vignette * r ** 2.2);
      canvas.set(i, skin[0] * light[i] + 4 * fine[i], skin[1] * light[i] + 4 * fine[i], skin[2] * light[i] + 4 * fine[i]);
    }
  }

  const mask = new Uint8Array(size * size);
  for (const lesion of lesions) {
    fillBlobMask(lesion, size, size, mask);
    const reach = Math.ceil(blobReach(lesion)) + 2;
    const meanRadius = Math.sqrt(lesion.rx * lesion.ry);
    const softness = rng.uniform(1, 2.5);
    for (let y = Math.max(0, Math.floor(lesion.cy - reach)); y < Math.min(size, lesion.cy + reach); y++) {
      for (let x = Math.max(0, Math.floor(lesion.cx - reach)); x < Math.min(size, lesion.cx + reach); x++) {
        const d = blobInsideDistance(lesion, x + 0.5, y + 0.5);
        const alpha = 0.94 * edgeAlpha(d, softness);
        if (alpha <= 0) continue;
        const i = y * size + x;
        // Darker towards the middle, as pigment is thickest there.
        const depth = 1 - 0.18 * Math.min(1, Math.max(0, d / meanRadius));
        const mix = Math.min(1, Math.max(0, 0.5 + blotches[i]));
        const colour = look.colour.map((c, k) => ((c * (1 - mix) + look.blotch[k] * mix) * depth + look.textureAmplitude * texture[i]) * light[i]) as Rgb;
        canvas.blend(i, colour, alpha);
      }
    }
  }

  const hair = drawHair(rng, size);
  for (let i = 0; i < hair.length; i++) canvas.blend(i, HAIR, hair[i]);
  canvas.addNoise(rng, 2);
  return { rgb: canvas.toBytes(), mask, width: size, height: size };
}
