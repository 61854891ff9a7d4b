/**
 * One synthetic H&E-like prostate patch: pink fibrous stroma with scattered nuclei, benign glands
 * (large, with folded borders) and tumour glands (small, round, crowded). Every gland is a pale
 * lumen inside a ring of epithelium whose nuclei sit along the border. The mask is the area of the
 * tumour glands; a patch without tumour glands has an empty mask.
 */
import { noiseField } from './noise';
import { SeededRandom } from './random';
import { RgbCanvas, blobInsideDistance, blobReach, edgeAlpha, fillBlobMask, randomBlob, stampDisc, type BlobShape, type DrawnImage, type Rgb } from './shapes';

export const HISTOLOGY_SIZE = 128;
const STROMA: Rgb = [230, 170, 200];
const FIBRE: Rgb = [196, 120, 168];
const EPITHELIUM: Rgb = [186, 128, 186];
const LUMEN: Rgb = [245, 235, 245];
const NUCLEUS: Rgb = [90, 50, 120];

/** Colour cast per staining batch: the same tissue looks different from lab run to lab run. */
export const STAIN_TINTS: Record<string, Rgb> = { A: [1, 1, 1], B: [0.94, 0.9, 1.03], C: [1.02, 1.05, 0.97] };

interface Gland {
  blob: BlobShape;
  tumour: boolean;
  ring: number;
}

/** Tumour glands per grade: how many, and how big (mean radius in pixels). */
const TUMOUR_GROWTH: Record<string, { count: [number, number]; radius: [number, number] }> = {
  '3+3': { count: [5, 9], radius: [5, 8] },
  '3+4': { count: [8, 13], radius: [4, 7] },
  '4+3': { count: [10, 16], radius: [3.5, 6] },
  '4+4': { count: [14, 20], radius: [3, 5] },
  '5+5': { count: [18, 26], radius: [2.5, 4.5] },
};

function fits(glands: readonly Gland[], candidate: BlobShape, gap: number): boolean {
  const reach = blobReach(candidate);
  return glands.every((g) => Math.hypot(g.blob.cx - candidate.cx, g.blob.cy - candidate.cy) >= reach + blobReach(g.blob) + gap);
}

function placeGlands(rng: SeededRandom, grade: string, withTumour: boolean, size: number): Gland[] {
  const glands: Gland[] = [];
  const growth = TUMOUR_GROWTH[grade];
  if (withTumour && growth) {
    // Tumour glands crowd into one region of the patch.
    const cx = rng.uniform(35, size - 35);
    const cy = rng.uniform(35, size - 35);
    const spread = rng.uniform(25, 42);
    const wanted = rng.int(growth.count[0], growth.count[1]);
    for (let tries = 0; tries < 400 && glands.length < wanted; tries++) {
      const angle = rng.uniform(0, 2 * Math.PI);
      const distance = spread * Math.sqrt(rng.next());
      const radius = rng.uniform(growth.radius[0], growth.radius[1]);
      const blob = randomBlob(rng, cx + distance * Math.cos(angle), cy + distance * Math.sin(angle), radius, { aspect: [0.7, 1], irregularity: 0.08 });
      if (blob.cx < 3 || blob.cy < 3 || blob.cx > size - 3 || blob.cy > size - 3) continue;
      if (fits(glands, blob, 1.5)) glands.push({ blob, tumour: true, ring: Math.min(2, radius * 0.4) });
    }
  }
  const benign = rng.int(withTumour ? 0 : 1, withTumour ? 2 : 4);
  for (let tries = 0, placed = 0; tries < 200 && placed < benign; tries++) {
    const blob = randomBlob(rng, rng.uniform(0, size), rng.uniform(0, size), rng.uniform(10, 18), { aspect: [0.5, 0.9], irregularity: rng.uniform(0.15, 0.3) });
    if (!fits(glands, blob, 6)) continue;
    glands.push({ blob, tumour: false, ring: rng.uniform(2.5, 3.5) });
    placed++;
  }
  return glands;
}

/** Nuclei along the inside of the gland border, about one every 2.6 px. */
function stampGlandNuclei(rng: SeededRandom, gland: Gland, layer: Float32Array, size: number): void {
  const { blob } = gland;
  const meanRadius = Math.sqrt(blob.rx * blob.ry);
  const count = Math.max(6, Math.round((2 * Math.PI * meanRadius) / 2.6));
  const cos = Math.cos(blob.angle);
  const sin = Math.sin(blob.angle);
  for (let n = 0; n < count; n++) {
    const theta = ((n + rng.uniform(-0.25, 0.25)) / count) * 2 * Math.PI;
    let border = 1;
    for (const h of blob.harmonics) border += h.amplitude * Math.sin(h.k * theta + h.phase);
    const rho = border - gland.ring / 2 / meanRadius;
    const u = rho * Math.cos(theta) * blob.rx;
    const v = rho * Math.sin(theta) * blob.ry;
    const radius = gland.tumour ? rng.uniform(1.1, 1.6) : rng.uniform(0.9, 1.3);
    stampDisc(layer, size, size, blob.cx + u * cos - v * sin, blob.cy + u * sin + v * cos, radius, rng.uniform(0.75, 0.95));
  }
}

export function drawHistologyPatch(seed: number, grade: string, withTumour: boolean, stainBatch: string): DrawnImage {
  const size = HISTOLOGY_SIZE;
  const rng = new SeededRandom(seed);
  const canvas = new RgbCanvas(size, size);
  const warp = noiseField(rng, size, size, 40, 2);
  const fine = noiseField(rng, size, size, 4, 2);
  const angle = rng.uniform(0, Math.PI);
  const frequency = rng.uniform(0.7, 1.1);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      // Wavy fibres: stripes along one direction, bent by a smooth field.
      const stripe = 0.5 + 0.5 * Math.sin((x * Math.cos(angle) + y * Math.sin(angle)) * frequency + 7 * warp[i]);
      canvas.set(i, STROMA[0] + 5 * fine[i], STROMA[1] + 5 * fine[i], STROMA[2] + 5 * fine[i]);
      canvas.blend(i, FIBRE, 0.55 * stripe ** 3);
    }
  }

  const nuclei = new Float32Array(size * size);
  const stromalNuclei = rng.int(20, 45);
  for (let n = 0; n < stromalNuclei; n++) stampDisc(nuclei, size, size, rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0.8, 1.3), rng.uniform(0.6, 0.85));

  const glands = placeGlands(rng, grade, withTumour, size);
  const mask = new Uint8Array(size * size);
  for (const gland of glands) {
    if (gland.tumour) fillBlobMask(gland.blob, size, size, mask);
    const reach = Math.ceil(blobReach(gland.blob)) + 2;
    for (let y = Math.max(0, Math.floor(gland.blob.cy - reach)); y < Math.min(size, gland.blob.cy + reach); y++) {
      for (let x = Math.max(0, Math.floor(gland.blob.cx - reach)); x < Math.min(size, gland.blob.cx + reach); x++) {
        const i = y * size + x;
        const d = blobInsideDistance(gland.blob, x + 0.5, y + 0.5);
        canvas.blend(i, EPITHELIUM, edgeAlpha(d, 0.8));
        canvas.blend(i, LUMEN, edgeAlpha(d - gland.ring, 1));
        // Stromal nuclei do not show through a gland.
        if (d > 0) nuclei[i] = 0;
      }
    }
    stampGlandNuclei(rng, gland, nuclei, size);
  }

  const tint = STAIN_TINTS[stainBatch] ?? STAIN_TINTS.A;
  for (let i = 0; i < nuclei.length; i++) {
    canvas.blend(i, NUCLEUS, nuclei[i]);
    for (let c = 0; c < 3; c++) canvas.data[i * 3 + c] *= tint[c];
  }
  canvas.addNoise(rng, 3);
  return { rgb: canvas.toBytes(), mask, width: size, height: size };
}
