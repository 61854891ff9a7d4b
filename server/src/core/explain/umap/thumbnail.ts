/**
 * A small picture of one case for the UMAP view's hover: the slice the map used (a volume's
 * middle slice), shown as the report shows images (8-bit rasters as stored, anything else through
 * a 1st–99th percentile window), at most `size` pixels on its longer side (Lanczos; a smaller image
 * is not enlarged). Made on request from the image file, so the view never holds 60,000 of them.
 */
import sharp from 'sharp';
import type { DatasetCase } from '../../dataset/types';
import { readImage } from '../../io';
import { toDisplayRgb } from '../../report/display';

export const THUMBNAIL_SIZE = 96;
export const THUMBNAIL_MAX_SIZE = 256;

export async function caseThumbnail(c: DatasetCase, size = THUMBNAIL_SIZE): Promise<{ width: number; height: number; png: Buffer }> {
  const side = Math.max(16, Math.min(THUMBNAIL_MAX_SIZE, Math.round(size)));
  const image = await readImage(c.image, { slice: c.slice });
  const z = image.depth > 1 ? Math.floor(image.depth / 2) : 0;
  const { rgb } = toDisplayRgb(image, z);
  const scale = Math.min(1, side / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  let img = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: image.width, height: image.height, channels: 3 } });
  if (scale < 1) img = img.resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
  return { width, height, png: await img.png({ compressionLevel: 6 }).toBuffer() };
}
