import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { DatasetCase } from '../../../../server/src/core/dataset/types';
import { caseThumbnail } from '../../../../server/src/core/explain/umap/thumbnail';
import { encodePng } from '../../../../server/src/core/io/pngEncode';

const dir = mkdtempSync(join(tmpdir(), 'medseg-thumb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a 16-bit 300×150 image: 96×48, windowed to the 1st–99th percentiles, as a PNG', async () => {
  const [w, h] = [300, 150];
  // Left half 1,000, right half 3,000: the window maps them to black and white.
  const data = Uint16Array.from({ length: w * h }, (_, i) => (i % w < w / 2 ? 1000 : 3000));
  const file = join(dir, 'ct.png');
  writeFileSync(file, await encodePng(data, w, h, 1));
  const c = { id: 'ct', image: file } as DatasetCase;
  const t = await caseThumbnail(c, 96);
  assert.deepEqual([t.width, t.height], [96, 48]);
  const { data: rgb, info } = await sharp(t.png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [96, 48, 3]);
  assert.ok(rgb[0] < 5, `left edge dark: ${rgb[0]}`);
  assert.ok(rgb[3 * 95] > 250, `right edge bright: ${rgb[3 * 95]}`);
});

test('a small image is not enlarged; the size is clamped to 16 … 256', async () => {
  const file = join(dir, 'small.png');
  await sharp(Buffer.alloc(20 * 10 * 3, 128), { raw: { width: 20, height: 10, channels: 3 } }).png().toFile(file);
  const t = await caseThumbnail({ id: 's', image: file } as DatasetCase, 5000);
  assert.deepEqual([t.width, t.height], [20, 10]);
});
