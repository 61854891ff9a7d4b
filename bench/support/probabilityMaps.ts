/**
 * Predictions of three imaginary models for a blob dataset (blobDataset.ts), as another tool would
 * leave them: 16-bit probability PNGs (value/65535) in `preds/<model>/<id>.png`. Each is a blurred,
 * shifted-threshold, noisy version of the reference — one close, one over-segmenting, one
 * under-segmenting — so the fusions have something to fix. Deterministic; existing files are kept.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeQuantisedProbabilityPng } from '../../server/src/core/io';
import { mapConcurrent } from '../../server/src/core/util/concurrency';
import { createRandom } from '../../server/src/core/util/random';

export const PREDICTION_MODELS = [
  { name: 'close', radius: 2, cut: 0.5 },
  { name: 'over', radius: 4, cut: 0.25 },
  { name: 'under', radius: 3, cut: 0.7 },
] as const;

/** Box blur of a 0/1 plane by a (2r+1)² window (running sums, edges clamped). */
function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const n = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += src[y * w + Math.min(w - 1, Math.max(0, k))];
    for (let x = 0; x < w; x++) {
      tmp[y * w + x] = sum / n;
      sum += src[y * w + Math.min(w - 1, x + r + 1)] - src[y * w + Math.max(0, x - r)];
    }
  }
  for (let x = 0; x < w; x++) {
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += tmp[Math.min(h - 1, Math.max(0, k)) * w + x];
    for (let y = 0; y < h; y++) {
      out[y * w + x] = sum / n;
      sum += tmp[Math.min(h - 1, y + r + 1) * w + x] - tmp[Math.max(0, y - r) * w + x];
    }
  }
  return out;
}

export async function writeProbabilityMaps(dir: string, ids: readonly string[], size: number): Promise<void> {
  for (const m of PREDICTION_MODELS) mkdirSync(join(dir, 'preds', m.name), { recursive: true });
  await mapConcurrent(ids, 4, async (id, i) => {
    const paths = PREDICTION_MODELS.map((m) => join(dir, 'preds', m.name, `${id}.png`));
    if (paths.every((p) => existsSync(p))) return;
    const { data } = await sharp(join(dir, 'masks', `${id}.png`)).raw().toBuffer({ resolveWithObject: true });
    const mask = new Float32Array(size * size);
    for (let p = 0; p < mask.length; p++) mask[p] = data[p] ? 1 : 0;
    const random = createRandom(7919 + i);
    for (const [k, m] of PREDICTION_MODELS.entries()) {
      const blurred = boxBlur(mask, size, size, m.radius);
      const q = new Uint16Array(size * size);
      for (let p = 0; p < q.length; p++) {
        const prob = 1 / (1 + Math.exp(-12 * (blurred[p] - m.cut))) + (random.next() - 0.5) * 0.04;
        q[p] = Math.round(Math.min(1, Math.max(0, prob)) * 65535);
      }
      writeFileSync(paths[k], await encodeQuantisedProbabilityPng(q, size, size));
    }
  });
}
