/** A synthetic dataset of N RGB images with dark blobs and their masks (PNG), written quickly and deterministically. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { mapConcurrent } from '../../server/src/core/util/concurrency';
import { createRandom } from '../../server/src/core/util/random';

export interface BlobDataset {
  dir: string;
  ids: string[];
}

export async function writeBlobDataset(dir: string, n: number, size: number, seed = 1): Promise<BlobDataset> {
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  const ids = Array.from({ length: n }, (_, i) => `img_${String(i).padStart(6, '0')}`);
  await mapConcurrent(ids, 4, async (id, i) => {
    const imagePath = join(dir, 'images', `${id}.png`);
    const maskPath = join(dir, 'masks', `${id}.png`);
    if (existsSync(imagePath) && existsSync(maskPath)) return;
    const random = createRandom(seed * 1_000_003 + i);
    const rgb = Buffer.alloc(size * size * 3);
    const mask = Buffer.alloc(size * size);
    const blobs = 1 + Math.floor(random.next() * 3);
    const centres = Array.from({ length: blobs }, () => [random.next() * size, random.next() * size, size * (0.03 + 0.15 * random.next())]);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const p = y * size + x;
        const inside = centres.some(([cx, cy, r]) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r);
        const noise = (random.next() - 0.5) * 30;
        const base = inside ? [110, 70, 50] : [200, 160, 140];
        for (let c = 0; c < 3; c++) rgb[3 * p + c] = Math.max(0, Math.min(255, base[c] + noise));
        mask[p] = inside ? 255 : 0;
      }
    await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 3 }).toFile(imagePath);
    await sharp(mask, { raw: { width: size, height: size, channels: 1 } }).toColourspace('b-w').png().toFile(maskPath);
  });
  return { dir, ids };
}

export function writeConfig(path: string, text: string): void {
  writeFileSync(path, text);
}
